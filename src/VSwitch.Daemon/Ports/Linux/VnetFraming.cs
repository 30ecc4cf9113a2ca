using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Offload;

namespace VSwitch.Daemon.Ports.Linux;

/// <summary>Puts a frame's virtio-net header in the slot's headroom, right before the frame, so
/// header and frame leave in one write (TAP) or one iovec (AF_PACKET).</summary>
internal static unsafe class VnetFraming
{
    /// <returns>Where the header starts; the frame follows it, <c>Length + 10</c> bytes in all.</returns>
    public static byte* Prepend(FramePool pool, in FrameDescriptor d)
    {
        int offset = d.Offset;
        if (offset < VirtioNetHeader.Length)
        {
            // No room before the frame (no port of ours leaves so little headroom): move it.
            Span<byte> slot = pool.Slot(d.Slot);
            slot.Slice(offset, d.Length).CopyTo(slot[FramePool.Headroom..]);
            offset = FramePool.Headroom;
        }
        byte* start = pool.SlotAddress(d.Slot) + offset - VirtioNetHeader.Length;
        VirtioNetHeader.Write(new Span<byte>(start, VirtioNetHeader.Length), d.Flags, pool.Offload(d.Slot));
        return start;
    }
}
