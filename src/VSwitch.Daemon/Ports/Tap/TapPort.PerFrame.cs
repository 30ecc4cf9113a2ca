using VSwitch.Daemon.Ports.Linux;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Offload;

namespace VSwitch.Daemon.Ports.Tap;

// One non-blocking read(2) per received frame and one write(2) per sent frame: the fallback when
// io_uring is unavailable, and the baseline the ring is measured against.
public sealed unsafe partial class TapPort
{
    private int ReceiveEach(Span<FrameDescriptor> burst)
    {
        if (!_up) return 0;
        int n = 0;
        while (n < burst.Length && _pool.TryRent(out int slot))
        {
            byte* buffer = _pool.SlotAddress(slot) + ReadStart;
            nint read = LibC.Read(_fd, buffer, (nuint)(_pool.SlotSize - ReadStart));
            if (read < 0)
            {
                _pool.Return(slot);
                int errno = LibC.LastError;
                if (IsGone(errno)) GoDown(errno);
                break;
            }
            if (TryDescribe(slot, (int)read, out FrameDescriptor d)) burst[n++] = d;
        }
        return n;
    }

    /// <summary>Turns <paramref name="read"/> bytes read into a slot at <see cref="ReadStart"/>
    /// into a descriptor, or returns the slot and says no (a runt, or an offload this switch
    /// cannot carry: UDP fragmentation offload, with nothing sane to forward).</summary>
    private bool TryDescribe(int slot, int read, out FrameDescriptor d)
    {
        d = default;
        if (read < VirtioNetHeader.Length + 14)
        {
            _pool.Return(slot);
            return false;
        }
        d = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = read - VirtioNetHeader.Length };
        var header = new ReadOnlySpan<byte>(_pool.SlotAddress(slot) + ReadStart, VirtioNetHeader.Length);
        if (VirtioNetHeader.TryRead(header, ref d.Flags, ref _pool.Offload(slot))) return true;
        _pool.Return(slot);
        return false;
    }

    private int TransmitEach(ReadOnlySpan<FrameDescriptor> burst)
    {
        int sent = 0;
        foreach (ref readonly FrameDescriptor d in burst)
        {
            if (_up && WriteOne(d)) sent++;
            _pool.Return(d.Slot);
        }
        return sent;
    }

    private bool WriteOne(in FrameDescriptor d)
    {
        byte* buffer = VnetFraming.Prepend(_pool, d);
        nint written = LibC.Write(_fd, buffer, (nuint)(d.Length + VirtioNetHeader.Length));
        if (written >= 0) return true;
        // EIO: the device is administratively down (being moved or configured); EAGAIN/ENOBUFS: its
        // queue is full. Both drop this frame only. The device being gone takes the port down.
        int errno = LibC.LastError;
        if (IsGone(errno)) GoDown(errno);
        return false;
    }
}
