using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>A UDP datagram (RFC 768) viewed in place inside an IP payload.</summary>
/// <remarks>
/// <see cref="TryRead"/> validates once; afterwards no property can fail. A Length field below
/// the 8-byte header is <see cref="ParseResult.Malformed"/>; one beyond the buffer is
/// <see cref="ParseResult.Truncated"/>. The view ends at Length. The checksum is not checked by
/// <see cref="TryRead"/> because it needs the IP addresses: callers that care use
/// <see cref="HasValidChecksumIPv4"/> or <see cref="HasValidChecksumIPv6"/>.
/// </remarks>
public readonly ref struct UdpDatagram
{
    public const int HeaderLength = 8;

    private readonly ReadOnlySpan<byte> _bytes;

    private UdpDatagram(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);

    /// <summary>The Length field: header and payload in bytes.</summary>
    public ushort Length => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);

    /// <summary>The bytes after the header, up to Length.</summary>
    public ReadOnlySpan<byte> Payload => _bytes[HeaderLength..];

    /// <summary>The whole datagram, cut at Length.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>True when the checksum verifies over the IPv4 pseudo-header, or is 0, which over
    /// IPv4 means the sender computed none (RFC 768).</summary>
    public bool HasValidChecksumIPv4(uint source, uint destination) =>
        Checksum == 0 ||
        Frames.Checksum.IsValid(Frames.Checksum.Add(
            Frames.Checksum.PseudoHeaderSumIPv4(source, destination, IpProtocol.Udp, (ushort)_bytes.Length), _bytes));

    /// <summary>True when the checksum verifies over the IPv6 pseudo-header. A checksum of 0 is
    /// invalid: IPv6 makes the UDP checksum mandatory (RFC 8200 section 8.1).</summary>
    /// <param name="source">The 16-byte IPv6 source address.</param>
    /// <param name="destination">The 16-byte IPv6 destination address.</param>
    public bool HasValidChecksumIPv6(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination) =>
        Checksum != 0 &&
        Frames.Checksum.IsValid(Frames.Checksum.Add(
            Frames.Checksum.PseudoHeaderSumIPv6(source, destination, IpProtocol.Udp, (uint)_bytes.Length), _bytes));

    /// <summary>Reads a UDP datagram from the start of <paramref name="datagram"/> (an IP payload).</summary>
    public static ParseResult TryRead(ReadOnlySpan<byte> datagram, out UdpDatagram udp)
    {
        udp = default;
        if (datagram.Length < HeaderLength) return ParseResult.Truncated;
        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[4..]);
        if (length < HeaderLength) return ParseResult.Malformed;
        if (length > datagram.Length) return ParseResult.Truncated;
        udp = new UdpDatagram(datagram[..length]);
        return ParseResult.Ok;
    }
}
