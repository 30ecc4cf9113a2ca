using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>Writes or edits a UDP header (RFC 768) at the start of the caller's datagram buffer.</summary>
/// <remarks>
/// <para>The span given to <see cref="TryCreate"/> is the whole datagram, so the Length field is
/// its length and cannot disagree with it. Write the header and the payload first, then the
/// checksum over the pseudo-header of the IP version carrying it. A computed checksum of 0 is
/// stored as 0xFFFF, because 0 on the wire means "none" over IPv4 and is invalid over IPv6.</para>
/// <para>The port setters edit a datagram whose checksum is already written and update it
/// incrementally (RFC 1624); a checksum of 0 ("none", IPv4) is left alone.</para>
/// </remarks>
public readonly ref struct UdpWriter
{
    private const int ChecksumOffset = 6;

    private readonly Span<byte> _bytes;

    private UdpWriter(Span<byte> bytes) => _bytes = bytes;

    /// <summary>The whole datagram.</summary>
    public Span<byte> Datagram => _bytes;

    /// <summary>The bytes after the 8-byte header.</summary>
    public Span<byte> Payload => _bytes[UdpDatagram.HeaderLength..];

    /// <summary>Creates a writer over <paramref name="datagram"/>, exactly the datagram to write;
    /// false when it is shorter than 8 bytes or longer than the Length field can say.</summary>
    public static bool TryCreate(Span<byte> datagram, out UdpWriter writer)
    {
        writer = default;
        if (datagram.Length < UdpDatagram.HeaderLength || datagram.Length > ushort.MaxValue) return false;
        writer = new UdpWriter(datagram);
        return true;
    }

    /// <summary>Writes ports and Length, zeroes the checksum, and returns the header length, 8.</summary>
    public int WriteHeader(ushort sourcePort, ushort destinationPort)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_bytes, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], (ushort)_bytes.Length);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], 0);
        return UdpDatagram.HeaderLength;
    }

    /// <summary>Computes the checksum over the IPv4 pseudo-header and the datagram, stores it and returns it.</summary>
    public ushort WriteChecksumIPv4(uint source, uint destination) =>
        WriteChecksum(Checksum.PseudoHeaderSumIPv4(source, destination, IpProtocol.Udp, (ushort)_bytes.Length));

    /// <summary>Computes the checksum over the IPv6 pseudo-header and the datagram, stores it and returns it.</summary>
    /// <param name="source">The 16-byte IPv6 source address.</param>
    /// <param name="destination">The 16-byte IPv6 destination address.</param>
    public ushort WriteChecksumIPv6(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination) =>
        WriteChecksum(Checksum.PseudoHeaderSumIPv6(source, destination, IpProtocol.Udp, (uint)_bytes.Length));

    public void SetSourcePort(ushort sourcePort) => SetWord(0, sourcePort);

    public void SetDestinationPort(ushort destinationPort) => SetWord(2, destinationPort);

    private ushort WriteChecksum(ulong pseudoHeaderSum)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], 0);
        ushort checksum = Checksum.Finish(Checksum.Add(pseudoHeaderSum, _bytes));
        if (checksum == 0) checksum = 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], checksum);
        return checksum;
    }

    private void SetWord(int offset, ushort value)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(_bytes[offset..]);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[offset..], value);
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(_bytes[ChecksumOffset..]);
        if (checksum == 0) return;
        checksum = Checksum.UpdateField16(checksum, old, value);
        if (checksum == 0) checksum = 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], checksum);
    }
}
