using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>Writes or edits the fixed IPv6 header at the start of the caller's packet buffer.</summary>
/// <remarks>
/// The span given to <see cref="TryCreate"/> is the whole packet, so PayloadLength is its length
/// less 40 and cannot disagree with it. <see cref="WriteHeader"/> writes a header that
/// <see cref="Ipv6Header.TryRead"/> accepts. IPv6 has no header checksum; the upper layer's
/// checksum covers the addresses, so after changing them rewrite that checksum too.
/// Extension headers are not written.
/// </remarks>
public readonly ref struct Ipv6HeaderWriter
{
    private readonly Span<byte> _bytes;

    private Ipv6HeaderWriter(Span<byte> bytes) => _bytes = bytes;

    /// <summary>The whole packet.</summary>
    public Span<byte> Packet => _bytes;

    /// <summary>The 16-byte source address, to write in place.</summary>
    public Span<byte> Source => _bytes.Slice(8, Ipv6Header.AddressLength);

    /// <summary>The 16-byte destination address, to write in place.</summary>
    public Span<byte> Destination => _bytes.Slice(24, Ipv6Header.AddressLength);

    /// <summary>The bytes after the fixed header.</summary>
    public Span<byte> Payload => _bytes[Ipv6Header.HeaderLength..];

    /// <summary>Creates a writer over <paramref name="packet"/>, exactly the packet to write;
    /// false when it is shorter than 40 bytes or its payload longer than PayloadLength can say.</summary>
    public static bool TryCreate(Span<byte> packet, out Ipv6HeaderWriter writer)
    {
        writer = default;
        if (packet.Length < Ipv6Header.HeaderLength || packet.Length - Ipv6Header.HeaderLength > ushort.MaxValue)
            return false;
        writer = new Ipv6HeaderWriter(packet);
        return true;
    }

    /// <summary>Writes the 40-byte fixed header and returns its length.</summary>
    /// <param name="nextHeader">The upper-layer protocol; see <see cref="IpProtocol"/>.</param>
    /// <param name="source">The 16-byte source address (shorter is a programming error and throws).</param>
    /// <param name="destination">The 16-byte destination address.</param>
    /// <param name="hopLimit">The hop limit (255 for Neighbor Discovery).</param>
    /// <param name="trafficClass">The traffic class (DSCP and ECN).</param>
    /// <param name="flowLabel">The flow label; only the low 20 bits are used.</param>
    public int WriteHeader(byte nextHeader, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination,
        byte hopLimit, byte trafficClass = 0, uint flowLabel = 0)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_bytes,
            (6u << 28) | ((uint)trafficClass << 20) | (flowLabel & 0x000F_FFFF));
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], (ushort)(_bytes.Length - Ipv6Header.HeaderLength));
        _bytes[6] = nextHeader;
        _bytes[7] = hopLimit;
        source[..Ipv6Header.AddressLength].CopyTo(Source);
        destination[..Ipv6Header.AddressLength].CopyTo(Destination);
        return Ipv6Header.HeaderLength;
    }

    public void SetHopLimit(byte hopLimit) => _bytes[7] = hopLimit;

    public void SetNextHeader(byte nextHeader) => _bytes[6] = nextHeader;
}
