using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>Writes or edits an ICMPv6 message (RFC 4443) in the caller's buffer.</summary>
/// <remarks>
/// <para>The span given to <see cref="TryCreate"/> is the whole message, the IPv6 upper-layer
/// payload. Write the header, then the body, then the checksum over the IPv6 pseudo-header.</para>
/// <para><see cref="SetType"/> and <see cref="SetCode"/> edit a message whose checksum is already
/// written and update it incrementally (RFC 1624): turning an echo request into a reply in place
/// costs one field and swapping the addresses, which leaves the sum unchanged.</para>
/// </remarks>
public readonly ref struct Icmpv6Writer
{
    private const int ChecksumOffset = 2;

    private readonly Span<byte> _bytes;

    private Icmpv6Writer(Span<byte> bytes) => _bytes = bytes;

    /// <summary>The whole message.</summary>
    public Span<byte> Message => _bytes;

    /// <summary>The bytes after type, code and checksum.</summary>
    public Span<byte> Body => _bytes[Icmpv6Message.HeaderLength..];

    /// <summary>Creates a writer over <paramref name="message"/>, exactly the message to write;
    /// false when it is shorter than 4 bytes or longer than an IPv6 payload can be.</summary>
    public static bool TryCreate(Span<byte> message, out Icmpv6Writer writer)
    {
        writer = default;
        if (message.Length < Icmpv6Message.HeaderLength || message.Length > ushort.MaxValue) return false;
        writer = new Icmpv6Writer(message);
        return true;
    }

    /// <summary>Writes type and code, zeroes the checksum, and returns the header length, 4.</summary>
    public int WriteHeader(byte type, byte code)
    {
        _bytes[0] = type;
        _bytes[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], 0);
        return Icmpv6Message.HeaderLength;
    }

    /// <summary>Computes the checksum over the IPv6 pseudo-header (next header 58) and the
    /// message, stores it and returns it.</summary>
    /// <param name="source">The 16-byte IPv6 source address.</param>
    /// <param name="destination">The 16-byte IPv6 destination address.</param>
    public ushort WriteChecksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], 0);
        ushort checksum = Checksum.Finish(Checksum.Add(
            Checksum.PseudoHeaderSumIPv6(source, destination, IpProtocol.IcmpV6, (uint)_bytes.Length), _bytes));
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], checksum);
        return checksum;
    }

    public void SetType(byte type)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(_bytes);
        _bytes[0] = type;
        UpdateChecksum(old);
    }

    public void SetCode(byte code)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(_bytes);
        _bytes[1] = code;
        UpdateChecksum(old);
    }

    private void UpdateChecksum(ushort oldTypeAndCode)
    {
        Span<byte> field = _bytes[ChecksumOffset..];
        BinaryPrimitives.WriteUInt16BigEndian(field, Checksum.UpdateField16(
            BinaryPrimitives.ReadUInt16BigEndian(field), oldTypeAndCode, BinaryPrimitives.ReadUInt16BigEndian(_bytes)));
    }
}
