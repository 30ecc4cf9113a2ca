using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>Writes an Ethernet/IPv4 ARP packet (RFC 826) into the caller's buffer.</summary>
/// <remarks>
/// <see cref="TryCreate"/> checks once that 28 bytes fit. <see cref="Write"/> writes every field,
/// the fixed hardware and protocol types and lengths included, so the result is what
/// <see cref="ArpPacket.TryRead"/> accepts whatever the buffer held before. Because all values
/// are passed by value, a reply can be written over the request it answers.
/// </remarks>
public readonly ref struct ArpWriter
{
    private readonly Span<byte> _bytes;

    private ArpWriter(Span<byte> bytes) => _bytes = bytes;

    /// <summary>Creates a writer over <paramref name="packet"/>; false when it is shorter than 28 bytes.</summary>
    public static bool TryCreate(Span<byte> packet, out ArpWriter writer)
    {
        writer = default;
        if (packet.Length < ArpPacket.Length) return false;
        writer = new ArpWriter(packet[..ArpPacket.Length]);
        return true;
    }

    /// <summary>Writes the whole packet and returns its length, 28.</summary>
    /// <param name="operation"><see cref="ArpPacket.Request"/> or <see cref="ArpPacket.Reply"/>.</param>
    /// <param name="senderMac">The sender hardware address.</param>
    /// <param name="senderIPv4">The sender protocol address.</param>
    /// <param name="targetMac">The target hardware address (zero in a request).</param>
    /// <param name="targetIPv4">The target protocol address.</param>
    public int Write(ushort operation, ulong senderMac, uint senderIPv4, ulong targetMac, uint targetIPv4)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_bytes, ArpPacket.HardwareTypeEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], EtherType.IPv4);
        _bytes[4] = MacAddress.Length;
        _bytes[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[6..], operation);
        MacAddress.Write(_bytes[8..], senderMac);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[14..], senderIPv4);
        MacAddress.Write(_bytes[18..], targetMac);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[24..], targetIPv4);
        return ArpPacket.Length;
    }
}
