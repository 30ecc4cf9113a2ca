using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>Writes an Ethernet II header, untagged or with one 802.1Q tag, at the start of the
/// caller's frame buffer.</summary>
/// <remarks>
/// <see cref="TryCreate"/> checks once that the untagged header fits; the tagged header needs
/// four bytes more and so is written by <see cref="TryWriteTaggedHeader"/>, which says no rather
/// than write past the span. Nothing else is checked: what the frame carries is the caller's.
/// The header written is the one <see cref="EthernetFrame.TryRead"/> accepts.
/// </remarks>
public readonly ref struct EthernetWriter
{
    private readonly Span<byte> _bytes;

    private EthernetWriter(Span<byte> bytes) => _bytes = bytes;

    /// <summary>The frame buffer, header first.</summary>
    public Span<byte> Frame => _bytes;

    /// <summary>Creates a writer over <paramref name="frame"/>; false when it cannot hold an
    /// untagged header.</summary>
    public static bool TryCreate(Span<byte> frame, out EthernetWriter writer)
    {
        writer = default;
        if (frame.Length < EthernetFrame.HeaderLength) return false;
        writer = new EthernetWriter(frame);
        return true;
    }

    /// <summary>Writes an untagged header and returns its length, 14.</summary>
    public int WriteHeader(ulong destination, ulong source, ushort etherType)
    {
        MacAddress.Write(_bytes, destination);
        MacAddress.Write(_bytes[6..], source);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[12..], etherType);
        return EthernetFrame.HeaderLength;
    }

    /// <summary>Writes a header with an 802.1Q tag; false, and nothing written, when the frame
    /// cannot hold 18 bytes.</summary>
    /// <param name="destination">The destination MAC.</param>
    /// <param name="source">The source MAC.</param>
    /// <param name="tagControl">The tag control information: PCP (3 bits), DEI (1), VLAN id (12).</param>
    /// <param name="etherType">The EtherType after the tag.</param>
    /// <param name="written">18 on success, else 0.</param>
    public bool TryWriteTaggedHeader(ulong destination, ulong source, ushort tagControl, ushort etherType, out int written)
    {
        written = 0;
        if (_bytes.Length < EthernetFrame.TaggedHeaderLength) return false;
        MacAddress.Write(_bytes, destination);
        MacAddress.Write(_bytes[6..], source);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[12..], EtherType.Vlan);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[14..], tagControl);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[16..], etherType);
        written = EthernetFrame.TaggedHeaderLength;
        return true;
    }

    /// <summary>Rewrites the destination MAC only (e.g. when turning a request into a reply in place).</summary>
    public void SetDestination(ulong destination) => MacAddress.Write(_bytes, destination);

    /// <summary>Rewrites the source MAC only.</summary>
    public void SetSource(ulong source) => MacAddress.Write(_bytes[6..], source);
}
