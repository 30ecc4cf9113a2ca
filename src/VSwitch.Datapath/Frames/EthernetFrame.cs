using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>An Ethernet II frame viewed in place, with at most one 802.1Q tag.</summary>
/// <remarks>
/// <see cref="TryRead"/> validates once; afterwards no property can fail. The view exposes the
/// EtherType and payload after the tag, so callers above L2 never care whether the frame was
/// tagged. A tag whose frame ends inside it is <see cref="ParseResult.Truncated"/>; an 802.3
/// length field that claims more bytes than the frame holds is <see cref="ParseResult.Malformed"/>.
/// </remarks>
public readonly ref struct EthernetFrame
{
    /// <summary>Destination, source and EtherType.</summary>
    public const int HeaderLength = 14;
    /// <summary>Header with one 802.1Q tag.</summary>
    public const int TaggedHeaderLength = 18;

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _headerLength;

    private EthernetFrame(ReadOnlySpan<byte> bytes, int headerLength)
    {
        _bytes = bytes;
        _headerLength = headerLength;
    }

    public ulong Destination => MacAddress.Read(_bytes);
    public ulong Source => MacAddress.Read(_bytes[6..]);
    public bool IsTagged => _headerLength == TaggedHeaderLength;

    /// <summary>The tag control information (PCP, DEI, VID), or 0 when untagged.</summary>
    public ushort TagControl => IsTagged ? BinaryPrimitives.ReadUInt16BigEndian(_bytes[14..]) : (ushort)0;

    /// <summary>The VLAN id of the tag, or 0 when untagged.</summary>
    public ushort VlanId => (ushort)(TagControl & 0x0FFF);

    /// <summary>The EtherType after any tag (or an 802.3 length, below 0x0600).</summary>
    public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[(_headerLength - 2)..]);

    public ReadOnlySpan<byte> Payload => _bytes[_headerLength..];
    public ReadOnlySpan<byte> Bytes => _bytes;

    public static ParseResult TryRead(ReadOnlySpan<byte> frame, out EthernetFrame ethernet)
    {
        ethernet = default;
        if (frame.Length < HeaderLength) return ParseResult.Truncated;
        int header = HeaderLength;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (type == Frames.EtherType.Vlan)
        {
            if (frame.Length < TaggedHeaderLength) return ParseResult.Truncated;
            header = TaggedHeaderLength;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
            // A second tag (QinQ inside 802.1Q) is not something an access or trunk port carries.
            if (type is Frames.EtherType.Vlan or Frames.EtherType.QinQ) return ParseResult.Unsupported;
        }
        else if (type == Frames.EtherType.QinQ)
        {
            return ParseResult.Unsupported;
        }
        if (type < Frames.EtherType.MinimumEtherType && type > frame.Length - header)
            return ParseResult.Malformed;
        ethernet = new EthernetFrame(frame, header);
        return ParseResult.Ok;
    }
}
