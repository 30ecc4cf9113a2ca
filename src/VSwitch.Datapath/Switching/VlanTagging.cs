using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;

namespace VSwitch.Datapath.Switching;

/// <summary>Pushes and strips one 802.1Q tag in place, using the slot's headroom.</summary>
/// <remarks>Only the twelve address bytes move: stripping slides them forward over the tag,
/// pushing slides them back into the headroom. The payload never moves, unless a port left no
/// headroom, which costs one copy of the frame.</remarks>
public static class VlanTagging
{
    public const int TagLength = 4;

    /// <summary>Removes the tag after the source MAC; the caller has checked the frame is tagged and whole.</summary>
    public static void Strip(FramePool pool, ref FrameDescriptor frame)
    {
        Span<byte> slot = pool.Slot(frame.Slot);
        int start = frame.Offset;
        slot.Slice(start, 12).CopyTo(slot.Slice(start + TagLength, 12));
        frame.Offset = (ushort)(start + TagLength);
        frame.Length -= TagLength;
        ShiftOffloadOffsets(pool, frame, -TagLength);
    }

    /// <summary>Inserts a tag carrying <paramref name="tci"/> after the source MAC.</summary>
    public static void Push(FramePool pool, ref FrameDescriptor frame, ushort tci)
    {
        Span<byte> slot = pool.Slot(frame.Slot);
        if (frame.Offset < TagLength)
        {
            // No headroom: move the whole frame forward to make some.
            slot.Slice(frame.Offset, frame.Length).CopyTo(slot.Slice(FramePool.Headroom));
            frame.Offset = FramePool.Headroom;
        }
        int start = frame.Offset - TagLength;
        slot.Slice(frame.Offset, 12).CopyTo(slot.Slice(start, 12));
        BinaryPrimitives.WriteUInt16BigEndian(slot[(start + 12)..], EtherType.Vlan);
        BinaryPrimitives.WriteUInt16BigEndian(slot[(start + 14)..], tci);
        frame.Offset = (ushort)start;
        frame.Length += TagLength;
        ShiftOffloadOffsets(pool, frame, TagLength);
    }

    /// <summary>Moves the frame's offload offsets by <paramref name="by"/> bytes: they count from the
    /// frame's first byte, so a tag put in or taken out before them moves them.</summary>
    public static void ShiftOffloadOffsets(FramePool pool, in FrameDescriptor frame, int by)
    {
        if ((frame.Flags & (FrameFlags.ChecksumPartial | FrameFlags.Gso)) == 0) return;
        ref FrameOffload o = ref pool.Offload(frame.Slot);
        if ((frame.Flags & FrameFlags.ChecksumPartial) != 0) o.CsumStart = (ushort)(o.CsumStart + by);
        if ((frame.Flags & FrameFlags.Gso) != 0) o.HeaderLength = (ushort)(o.HeaderLength + by);
    }
}
