using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>An ARP packet for Ethernet and IPv4 (RFC 826) viewed in place inside a frame.</summary>
/// <remarks>
/// <see cref="TryRead"/> validates once; afterwards no property can fail. Only the one variant a
/// switch on Ethernet meets is read: hardware type 1 with 6-byte addresses and protocol type
/// 0x0800 with 4-byte addresses. Anything else is <see cref="ParseResult.Unsupported"/>, and fewer
/// than 28 bytes is <see cref="ParseResult.Truncated"/>. Bytes after the 28 (Ethernet padding) are
/// not part of the view.
/// </remarks>
public readonly ref struct ArpPacket
{
    /// <summary>The size of an Ethernet/IPv4 ARP packet.</summary>
    public const int Length = 28;

    /// <summary>The <see cref="Operation"/> of a request.</summary>
    public const ushort Request = 1;
    /// <summary>The <see cref="Operation"/> of a reply.</summary>
    public const ushort Reply = 2;

    /// <summary>The hardware type of Ethernet.</summary>
    public const ushort HardwareTypeEthernet = 1;

    private readonly ReadOnlySpan<byte> _bytes;

    private ArpPacket(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public ushort Operation => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
    public ulong SenderMac => MacAddress.Read(_bytes[8..]);
    public uint SenderIPv4 => BinaryPrimitives.ReadUInt32BigEndian(_bytes[14..]);
    public ulong TargetMac => MacAddress.Read(_bytes[18..]);
    public uint TargetIPv4 => BinaryPrimitives.ReadUInt32BigEndian(_bytes[24..]);

    /// <summary>The 28 bytes of the packet.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Reads an ARP packet from the start of <paramref name="packet"/> (an Ethernet payload).</summary>
    public static ParseResult TryRead(ReadOnlySpan<byte> packet, out ArpPacket arp)
    {
        arp = default;
        if (packet.Length < Length) return ParseResult.Truncated;
        if (BinaryPrimitives.ReadUInt16BigEndian(packet) != HardwareTypeEthernet ||
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) != EtherType.IPv4 ||
            packet[4] != MacAddress.Length ||
            packet[5] != 4)
            return ParseResult.Unsupported;
        arp = new ArpPacket(packet[..Length]);
        return ParseResult.Ok;
    }
}
