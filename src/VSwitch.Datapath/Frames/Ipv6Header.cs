using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>An IPv6 header (RFC 8200) and its payload viewed in place, with any Hop-by-Hop
/// Options header skipped.</summary>
/// <remarks>
/// <para><see cref="TryRead"/> validates once; afterwards no property can fail. It requires
/// version 6 (else <see cref="ParseResult.Unsupported"/>) and a PayloadLength that fits the
/// buffer (else <see cref="ParseResult.Truncated"/>). The view ends at PayloadLength, so Ethernet
/// padding never reaches the layer above.</para>
/// <para>Neighbor Discovery and MLD are the IPv6 packets a switch answers or snoops, and MLD
/// always arrives behind a Hop-by-Hop Options header (for Router Alert). So that header, which
/// RFC 8200 allows only right after the fixed header, is walked here: <see cref="NextHeader"/>
/// and <see cref="Payload"/> describe the upper layer after it. Because the buffer was already
/// checked against PayloadLength, a Hop-by-Hop header that runs past PayloadLength is a field
/// contradicting another, <see cref="ParseResult.Malformed"/>, as is a second Hop-by-Hop header.
/// Other extension headers are not walked; they show up as <see cref="NextHeader"/> for the
/// caller to accept or drop.</para>
/// </remarks>
public readonly ref struct Ipv6Header
{
    /// <summary>The fixed header.</summary>
    public const int HeaderLength = 40;

    /// <summary>The size of one IPv6 address.</summary>
    public const int AddressLength = 16;

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _upperLayerOffset;
    private readonly byte _nextHeader;

    private Ipv6Header(ReadOnlySpan<byte> bytes, int upperLayerOffset, byte nextHeader)
    {
        _bytes = bytes;
        _upperLayerOffset = upperLayerOffset;
        _nextHeader = nextHeader;
    }

    public byte TrafficClass => (byte)(BinaryPrimitives.ReadUInt32BigEndian(_bytes) >> 20);
    public uint FlowLabel => BinaryPrimitives.ReadUInt32BigEndian(_bytes) & 0x000F_FFFF;

    /// <summary>The PayloadLength field: every byte after the fixed header, extension headers included.</summary>
    public ushort PayloadLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);

    /// <summary>The upper-layer protocol, after any Hop-by-Hop Options header; see <see cref="IpProtocol"/>.</summary>
    public byte NextHeader => _nextHeader;

    /// <summary>True when a Hop-by-Hop Options header followed the fixed header.</summary>
    public bool HasHopByHopOptions => _bytes[6] == IpProtocol.HopByHop;

    public byte HopLimit => _bytes[7];
    public ReadOnlySpan<byte> Source => _bytes.Slice(8, AddressLength);
    public ReadOnlySpan<byte> Destination => _bytes.Slice(24, AddressLength);

    /// <summary>The Hop-by-Hop Options header, or empty when there is none.</summary>
    public ReadOnlySpan<byte> HopByHopOptions => _bytes[HeaderLength.._upperLayerOffset];

    /// <summary>The upper-layer packet: the bytes after the fixed header and any Hop-by-Hop
    /// Options header, up to PayloadLength. Its length is the upper-layer length of the
    /// checksum pseudo-header.</summary>
    public ReadOnlySpan<byte> Payload => _bytes[_upperLayerOffset..];

    /// <summary>The whole packet, cut at the fixed header plus PayloadLength.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Reads an IPv6 packet from the start of <paramref name="packet"/> (an Ethernet
    /// payload, which may carry padding after PayloadLength).</summary>
    public static ParseResult TryRead(ReadOnlySpan<byte> packet, out Ipv6Header ipv6)
    {
        ipv6 = default;
        if (packet.Length < HeaderLength) return ParseResult.Truncated;
        if (packet[0] >> 4 != 6) return ParseResult.Unsupported;
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (payloadLength > packet.Length - HeaderLength) return ParseResult.Truncated;
        ReadOnlySpan<byte> bytes = packet[..(HeaderLength + payloadLength)];

        byte next = bytes[6];
        int upper = HeaderLength;
        if (next == IpProtocol.HopByHop)
        {
            // PayloadLength 0 with Hop-by-Hop options is how a jumbogram (RFC 2675) announces
            // itself; no Ethernet link can carry one.
            if (payloadLength == 0) return ParseResult.Unsupported;
            // The header's own length is in its second byte, in 8-byte units not counting the first 8.
            if (payloadLength < 2) return ParseResult.Malformed;
            int optionsLength = (bytes[HeaderLength + 1] + 1) * 8;
            if (optionsLength > payloadLength) return ParseResult.Malformed;
            next = bytes[HeaderLength];
            if (next == IpProtocol.HopByHop) return ParseResult.Malformed;
            upper += optionsLength;
        }
        ipv6 = new Ipv6Header(bytes, upper, next);
        return ParseResult.Ok;
    }
}
