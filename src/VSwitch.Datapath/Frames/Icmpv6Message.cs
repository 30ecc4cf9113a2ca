using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>An ICMPv6 message (RFC 4443) viewed in place: the common 4-byte header and the body.</summary>
/// <remarks>
/// <see cref="TryRead"/> only requires the 4-byte header; the message is every byte it is given,
/// so pass the upper-layer payload of the IPv6 packet (<see cref="Ipv6Header.Payload"/>). Type
/// specific bodies (Neighbor Discovery, echo) are read by their own code from <see cref="Body"/>.
/// The checksum is not checked by <see cref="TryRead"/> because it needs the addresses; see
/// <see cref="HasValidChecksum"/>.
/// </remarks>
public readonly ref struct Icmpv6Message
{
    public const int HeaderLength = 4;

    public const byte EchoRequest = 128;
    public const byte EchoReply = 129;
    public const byte RouterSolicitation = 133;
    public const byte RouterAdvertisement = 134;
    public const byte NeighborSolicitation = 135;
    public const byte NeighborAdvertisement = 136;

    private readonly ReadOnlySpan<byte> _bytes;

    private Icmpv6Message(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public byte Type => _bytes[0];
    public byte Code => _bytes[1];
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);

    /// <summary>The bytes after type, code and checksum.</summary>
    public ReadOnlySpan<byte> Body => _bytes[HeaderLength..];

    /// <summary>The whole message.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>True when the checksum verifies over the IPv6 pseudo-header (next header 58).</summary>
    /// <param name="source">The 16-byte IPv6 source address.</param>
    /// <param name="destination">The 16-byte IPv6 destination address.</param>
    public bool HasValidChecksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination) =>
        Frames.Checksum.IsValid(Frames.Checksum.Add(
            Frames.Checksum.PseudoHeaderSumIPv6(source, destination, IpProtocol.IcmpV6, (uint)_bytes.Length), _bytes));

    /// <summary>Reads an ICMPv6 message occupying all of <paramref name="message"/>.</summary>
    public static ParseResult TryRead(ReadOnlySpan<byte> message, out Icmpv6Message icmp)
    {
        icmp = default;
        if (message.Length < HeaderLength) return ParseResult.Truncated;
        icmp = new Icmpv6Message(message);
        return ParseResult.Ok;
    }
}
