using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;

namespace VSwitch.Datapath.Offload;

/// <summary>The 10-byte <c>virtio_net_hdr</c> that TAP (IFF_VNET_HDR) and AF_PACKET (PACKET_VNET_HDR)
/// put before each frame, converted to and from a descriptor's flags and the slot's <see cref="FrameOffload"/>.</summary>
/// <remarks>Fields are little-endian (legacy virtio, native order on the machines we run on).
/// Carrying this header end to end is what lets a 64 KiB TCP super-frame cross the switch in one
/// piece, with its checksum left for the last hop.</remarks>
public static class VirtioNetHeader
{
    public const int Length = 10;
    private const byte NeedsCsum = 1, DataValid = 2;

    /// <summary>Reads a header; false for one this switch cannot carry (an unknown GSO type).</summary>
    public static bool TryRead(ReadOnlySpan<byte> header, ref FrameFlags flags, ref FrameOffload offload)
    {
        byte hdrFlags = header[0];
        byte gsoType = header[1];
        flags &= ~(FrameFlags.ChecksumPartial | FrameFlags.Gso);
        if ((hdrFlags & NeedsCsum) != 0)
        {
            flags |= FrameFlags.ChecksumPartial;
            offload.CsumStart = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
            offload.CsumOffset = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        }
        byte type = (byte)(gsoType & ~FrameOffload.GsoEcn);
        if (type == 0) return true;
        if (type is not (FrameOffload.GsoTcpV4 or FrameOffload.GsoTcpV6)) return false;
        flags |= FrameFlags.Gso;
        offload.GsoType = gsoType;
        offload.HeaderLength = BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
        offload.GsoSize = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        return offload.GsoSize > 0;
    }

    /// <summary>Writes the header for a frame about to leave by a port that takes offloads.</summary>
    public static void Write(Span<byte> header, FrameFlags flags, in FrameOffload offload)
    {
        header[..Length].Clear();
        if ((flags & FrameFlags.ChecksumPartial) != 0)
        {
            header[0] = NeedsCsum;
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], offload.CsumStart);
            BinaryPrimitives.WriteUInt16LittleEndian(header[8..], offload.CsumOffset);
        }
        if ((flags & FrameFlags.Gso) != 0)
        {
            header[1] = offload.GsoType;
            BinaryPrimitives.WriteUInt16LittleEndian(header[2..], offload.HeaderLength);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], offload.GsoSize);
        }
    }
}
