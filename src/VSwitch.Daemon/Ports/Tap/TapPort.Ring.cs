using VSwitch.Daemon.Ports.Linux;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Offload;

namespace VSwitch.Daemon.Ports.Tap;

// Frames through io_uring.
//
// Receive: up to _readTarget IORING_OP_READs stay posted, each into its own rented pool slot at
// ReadStart (header in the headroom, frame at Headroom, exactly as read(2) fills it). The device
// descriptor is blocking, so a read with nothing queued waits inside the kernel on the device's
// poll queue (no thread) and completes when a frame arrives. Receive harvests completions from
// the shared completion ring, turns them into descriptors and posts as many new reads, submitted
// together with one io_uring_enter; a burst of 32 frames costs one system call instead of 32.
//
// Transmit: one IORING_OP_WRITE per frame, straight from the frame's slot (the header goes into
// the headroom, as for write(2)), all submitted with one io_uring_enter. The slot goes back to the
// pool only when its write's completion is read: a TAP write copies the frame into an skb while
// it is issued, so completions are normally there when io_uring_enter returns and are reaped at
// once. Copying into port-owned buffers instead would cost a copy of up to 64 KiB per super-frame
// to save nothing. Transmit reports a frame sent when its write is queued; a write that fails
// later is counted in WriteFailures and, if the device is gone, takes the port down.
//
// Completions of both kinds share one ring and arrive in any order, so Reap reads them all at once:
// write slots go back to the pool, read results wait in a small queue (_ready) for Receive. At
// most _readTarget reads are outstanding, so that queue never holds more than _readTarget.
public sealed unsafe partial class TapPort
{
    private const uint RingEntries = 256;
    private const ulong KindRead = 1, KindWrite = 2, KindCancel = 3;

    private IoUring? _ring;
    private int _readTarget;
    private int _readsPosted;
    private int _writesInFlight;
    private long[] _ready = [];
    private int _readyHead, _readyCount;

    /// <summary>Writes that the kernel refused after Transmit had queued them.</summary>
    public long WriteFailures { get; private set; }

    /// <summary>Reads kept posted on the device (0 without io_uring).</summary>
    public int PostedReads => _readTarget;

    /// <returns>Null, or why there is no ring.</returns>
    private string? OpenRing()
    {
        int errno = IoUring.TryCreate(RingEntries, out IoUring? ring);
        if (errno != 0) return $"io_uring_setup: {LibC.ErrorText(errno)}";
        errno = TunTapDevice.MakeBlocking(_fd);
        if (errno != 0)
        {
            ring!.Dispose();
            return $"cannot make the device descriptor blocking: {LibC.ErrorText(errno)}";
        }
        _ring = ring;
        // Enough reads to take a burst and the next one while the first is forwarded, but a small
        // share of the pool: every posted read holds a slot for as long as the device is quiet.
        _readTarget = Math.Clamp(_pool.SlotCount / 16, 1, 64);
        _ready = new long[_readTarget];
        return null;
    }

    private int ReceiveRing(Span<FrameDescriptor> burst)
    {
        if (!_up) return 0;
        // Reads are first posted here, on the forwarding thread, not in the constructor: a request's
        // completion work runs on the thread that submitted it.
        Reap();
        int n = 0;
        while (n < burst.Length && _readyCount > 0)
        {
            long entry = _ready[_readyHead];
            _readyHead = _readyHead + 1 == _ready.Length ? 0 : _readyHead + 1;
            _readyCount--;
            int slot = (int)entry, result = (int)(entry >> 32);
            if (result < 0)
            {
                _pool.Return(slot);
                if (IsGone(-result)) GoDown(-result);
                continue;
            }
            if (TryDescribe(slot, result, out FrameDescriptor d)) burst[n++] = d;
        }
        if (_up) PostReads();
        Submit();
        return n;
    }

    private void PostReads()
    {
        IoUring ring = _ring!;
        uint length = (uint)(_pool.SlotSize - ReadStart);
        while (_readsPosted + _readyCount < _readTarget && _pool.TryRent(out int slot))
        {
            if (!ring.TryPrepare(IoUringAbi.OpRead, _fd, _pool.SlotAddress(slot) + ReadStart, length, KindRead << 32 | (uint)slot))
            {
                _pool.Return(slot);
                break;
            }
            _readsPosted++;
        }
    }

    private int TransmitRing(ReadOnlySpan<FrameDescriptor> burst)
    {
        IoUring ring = _ring!;
        int sent = 0;
        foreach (ref readonly FrameDescriptor d in burst)
        {
            // Every request in flight must have room for its completion in the completion ring.
            if (_up && (ring.SubmissionSpace == 0 || _readsPosted + _writesInFlight >= ring.CompletionEntries))
            {
                Submit();
                Reap();
            }
            if (!_up || ring.SubmissionSpace == 0 || _readsPosted + _writesInFlight >= ring.CompletionEntries)
            {
                _pool.Return(d.Slot);
                continue;
            }
            byte* buffer = VnetFraming.Prepend(_pool, d);
            ring.TryPrepare(IoUringAbi.OpWrite, _fd, buffer, (uint)(d.Length + VirtioNetHeader.Length), KindWrite << 32 | (uint)d.Slot);
            _writesInFlight++;
            sent++;
        }
        Submit();
        Reap();
        return sent;
    }

    private void Submit()
    {
        int errno = _ring!.Submit();
        // EINTR, EAGAIN, EBUSY: the kernel is short of memory or of completion room right now; the
        // requests stay queued for the next call. Anything else means the ring itself is unusable.
        if (errno is not (0 or LibC.EINTR or LibC.EAGAIN or LibC.EBUSY)) GoDown(errno);
    }

    /// <summary>Reads every waiting completion: write slots go back to the pool, read results
    /// queue for <see cref="ReceiveRing"/>.</summary>
    private void Reap()
    {
        IoUring ring = _ring!;
        uint ready = ring.Ready;
        for (uint i = 0; i < ready; i++)
        {
            ref readonly IoUringCqe cqe = ref ring.Completion(i);
            int slot = (int)(uint)cqe.UserData;
            switch (cqe.UserData >> 32)
            {
                case KindRead:
                    _readsPosted--;
                    int tail = _readyHead + _readyCount;
                    _ready[tail >= _ready.Length ? tail - _ready.Length : tail] = (long)cqe.Result << 32 | (uint)slot;
                    _readyCount++;
                    break;
                case KindWrite:
                    _writesInFlight--;
                    _pool.Return(slot);
                    if (cqe.Result < 0)
                    {
                        // As for write(2): a full queue or a device that is down drops the frame only.
                        WriteFailures++;
                        if (IsGone(-cqe.Result)) GoDown(-cqe.Result);
                    }
                    break;
            }
        }
        ring.Consume(ready);
    }

    /// <summary>Cancels the posted reads, waits (a bounded time) until the kernel has finished with
    /// every slot it was given, and returns them to the pool.</summary>
    private void DisposeRing()
    {
        IoUring? ring = _ring;
        if (ring is null) return;
        if (_readsPosted + _writesInFlight > 0)
        {
            ring.TryPrepareCancelAll(_fd, KindCancel << 32);
            ring.Submit();
            var wait = new PollFd { Fd = ring.FileDescriptor, Events = LibC.POLLIN };
            for (int tries = 0; tries < 100 && _readsPosted + _writesInFlight > 0; tries++)
            {
                if (ring.Ready == 0) LibC.Poll(&wait, 1, 10);
                ring.Submit();
                Reap();
            }
        }
        while (_readyCount > 0)
        {
            _pool.Return((int)_ready[_readyHead]);
            _readyHead = _readyHead + 1 == _ready.Length ? 0 : _readyHead + 1;
            _readyCount--;
        }
        // XXX: a request still outstanding after a second (never seen) keeps its slot: returning
        // it would let the kernel write into a frame the switch is using.
        ring.Dispose();
        _ring = null;
    }
}
