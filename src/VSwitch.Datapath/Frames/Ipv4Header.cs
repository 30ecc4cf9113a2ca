using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>An IPv4 header (RFC 791) and its payload viewed in place.</summary>
/// <remarks>
/// <see cref="TryRead"/> validates once; afterwards no property can fail. It checks what the
/// lengths claim: version 4 (else <see cref="ParseResult.Unsupported"/>), IHL ≥ 5 and
/// TotalLength ≥ the header length (else <see cref="ParseResult.Malformed"/>), and that the
/// header with its options and the TotalLength fit the buffer (else
/// <see cref="ParseResult.Truncated"/>). The view ends at TotalLength, so Ethernet padding
/// never reaches the layer above. The header checksum is not checked by <see cref="TryRead"/>:
/// a switch that only looks at a packet need not pay for it, and whether a bad checksum is a
/// drop is the caller's choice (<see cref="HasValidChecksum"/>).
/// </remarks>
public readonly ref struct Ipv4Header
{
    /// <summary>The header without options (IHL 5).</summary>
    public const int MinimumHeaderLength = 20;

    /// <summary>The largest TotalLength the 16-bit field can hold.</summary>
    public const int MaximumTotalLength = ushort.MaxValue;

    private readonly ReadOnlySpan<byte> _bytes;

    private Ipv4Header(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>The header length in bytes, options included (IHL × 4).</summary>
    public int HeaderLength => (_bytes[0] & 0x0F) * 4;

    /// <summary>The DSCP and ECN byte (formerly Type of Service).</summary>
    public byte TypeOfService => _bytes[1];

    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);

    /// <summary>The three flag bits (reserved, DF, MF) as a number from 0 to 7.</summary>
    public byte Flags => (byte)(_bytes[6] >> 5);
    public bool DontFragment => (_bytes[6] & 0x40) != 0;
    public bool MoreFragments => (_bytes[6] & 0x20) != 0;

    /// <summary>The fragment offset in units of 8 bytes.</summary>
    public ushort FragmentOffset => (ushort)(BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]) & 0x1FFF);

    /// <summary>True for any fragment, first or later: MF is set or the offset is not zero.
    /// Only the first fragment carries the upper-layer header.</summary>
    public bool IsFragment => (BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]) & 0x3FFF) != 0;

    public byte Ttl => _bytes[8];

    /// <summary>The upper-layer protocol; see <see cref="IpProtocol"/>.</summary>
    public byte Protocol => _bytes[9];
    public ushort HeaderChecksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[10..]);
    public uint Source => BinaryPrimitives.ReadUInt32BigEndian(_bytes[12..]);
    public uint Destination => BinaryPrimitives.ReadUInt32BigEndian(_bytes[16..]);

    /// <summary>The options, empty when IHL is 5.</summary>
    public ReadOnlySpan<byte> Options => _bytes[MinimumHeaderLength..HeaderLength];

    /// <summary>The header, options included.</summary>
    public ReadOnlySpan<byte> Header => _bytes[..HeaderLength];

    /// <summary>The bytes after the header, up to TotalLength.</summary>
    public ReadOnlySpan<byte> Payload => _bytes[HeaderLength..];

    /// <summary>The whole packet, header and payload, cut at TotalLength.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>True when the header checksum (over the header and its options) verifies.</summary>
    public bool HasValidChecksum() => Checksum.IsValid(Checksum.Sum(_bytes[..HeaderLength]));

    /// <summary>Reads an IPv4 packet from the start of <paramref name="packet"/> (an Ethernet
    /// payload, which may carry padding after TotalLength).</summary>
    public static ParseResult TryRead(ReadOnlySpan<byte> packet, out Ipv4Header ipv4)
    {
        ipv4 = default;
        if (packet.Length < MinimumHeaderLength) return ParseResult.Truncated;
        if (packet[0] >> 4 != 4) return ParseResult.Unsupported;
        int headerLength = (packet[0] & 0x0F) * 4;
        if (headerLength < MinimumHeaderLength) return ParseResult.Malformed;
        if (headerLength > packet.Length) return ParseResult.Truncated;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (totalLength < headerLength) return ParseResult.Malformed;
        if (totalLength > packet.Length) return ParseResult.Truncated;
        ipv4 = new Ipv4Header(packet[..totalLength]);
        return ParseResult.Ok;
    }
}
