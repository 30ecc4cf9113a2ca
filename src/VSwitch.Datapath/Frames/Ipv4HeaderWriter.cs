using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>Writes or edits an IPv4 header at the start of the caller's packet buffer.</summary>
/// <remarks>
/// <para>The span given to <see cref="TryCreate"/> is the whole packet, header and payload, so
/// TotalLength is its length and cannot disagree with it. <see cref="WriteHeader"/> writes a
/// complete 20-byte header (no options) with its checksum, which <see cref="Ipv4Header.TryRead"/>
/// accepts and <see cref="Ipv4Header.HasValidChecksum"/> verifies.</para>
/// <para>The <c>Set*</c> methods edit one field of a header that is already valid and update the
/// checksum incrementally (RFC 1624), so it stays valid without re-reading the header. Use
/// <see cref="WriteChecksum"/> after editing bytes by other means (options, say).</para>
/// </remarks>
public readonly ref struct Ipv4HeaderWriter
{
    private const int ChecksumOffset = 10;

    private readonly Span<byte> _bytes;

    private Ipv4HeaderWriter(Span<byte> bytes) => _bytes = bytes;

    /// <summary>The whole packet.</summary>
    public Span<byte> Packet => _bytes;

    /// <summary>The bytes after the header the IHL field describes.</summary>
    public Span<byte> Payload => _bytes[((_bytes[0] & 0x0F) * 4)..];

    /// <summary>Creates a writer over <paramref name="packet"/>, exactly the packet to write;
    /// false when it is shorter than 20 bytes or longer than TotalLength can say.</summary>
    public static bool TryCreate(Span<byte> packet, out Ipv4HeaderWriter writer)
    {
        writer = default;
        if (packet.Length < Ipv4Header.MinimumHeaderLength || packet.Length > Ipv4Header.MaximumTotalLength)
            return false;
        writer = new Ipv4HeaderWriter(packet);
        return true;
    }

    /// <summary>Writes a 20-byte header, checksum included, and returns its length.</summary>
    /// <param name="protocol">The upper-layer protocol; see <see cref="IpProtocol"/>.</param>
    /// <param name="source">The source address.</param>
    /// <param name="destination">The destination address.</param>
    /// <param name="ttl">The time to live.</param>
    /// <param name="identification">The identification. The default pair (0, DF set) makes an
    /// atomic datagram, for which RFC 6864 lets the identification be anything.</param>
    /// <param name="dontFragment">Whether to set DF.</param>
    /// <param name="typeOfService">The DSCP and ECN byte.</param>
    public int WriteHeader(byte protocol, uint source, uint destination, byte ttl,
        ushort identification = 0, bool dontFragment = true, byte typeOfService = 0)
    {
        _bytes[0] = 0x45;
        _bytes[1] = typeOfService;
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], (ushort)_bytes.Length);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], identification);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[6..], dontFragment ? (ushort)0x4000 : (ushort)0);
        _bytes[8] = ttl;
        _bytes[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[16..], destination);
        WriteChecksum();
        return Ipv4Header.MinimumHeaderLength;
    }

    /// <summary>Computes the header checksum over the header the IHL field describes, stores it
    /// and returns it.</summary>
    public ushort WriteChecksum()
    {
        Span<byte> header = _bytes[..((_bytes[0] & 0x0F) * 4)];
        BinaryPrimitives.WriteUInt16BigEndian(header[ChecksumOffset..], 0);
        ushort checksum = Checksum.Compute(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[ChecksumOffset..], checksum);
        return checksum;
    }

    public void SetTypeOfService(byte typeOfService)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(_bytes);
        _bytes[1] = typeOfService;
        Update16(old, BinaryPrimitives.ReadUInt16BigEndian(_bytes));
    }

    public void SetIdentification(ushort identification)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], identification);
        Update16(old, identification);
    }

    public void SetTtl(byte ttl)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(_bytes[8..]);
        _bytes[8] = ttl;
        Update16(old, BinaryPrimitives.ReadUInt16BigEndian(_bytes[8..]));
    }

    public void SetProtocol(byte protocol)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(_bytes[8..]);
        _bytes[9] = protocol;
        Update16(old, BinaryPrimitives.ReadUInt16BigEndian(_bytes[8..]));
    }

    public void SetSource(uint source)
    {
        uint old = BinaryPrimitives.ReadUInt32BigEndian(_bytes[12..]);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[12..], source);
        Update32(old, source);
    }

    public void SetDestination(uint destination)
    {
        uint old = BinaryPrimitives.ReadUInt32BigEndian(_bytes[16..]);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[16..], destination);
        Update32(old, destination);
    }

    private void Update16(ushort oldValue, ushort newValue)
    {
        Span<byte> field = _bytes[ChecksumOffset..];
        BinaryPrimitives.WriteUInt16BigEndian(field,
            Checksum.UpdateField16(BinaryPrimitives.ReadUInt16BigEndian(field), oldValue, newValue));
    }

    private void Update32(uint oldValue, uint newValue)
    {
        Span<byte> field = _bytes[ChecksumOffset..];
        BinaryPrimitives.WriteUInt16BigEndian(field,
            Checksum.UpdateField32(BinaryPrimitives.ReadUInt16BigEndian(field), oldValue, newValue));
    }
}
