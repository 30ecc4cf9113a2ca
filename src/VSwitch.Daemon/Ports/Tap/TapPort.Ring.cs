using VSwitch.Daemon.Ports.Linux;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Offload;

namespace VSwitch.Daemon.Ports.Tap;

// Frames through io_uring.
//
// Receive: while the device has frames queued, each Receive posts one IORING_OP_READ per free
// place in the burst, each into its own rented pool slot at ReadStart (header in the headroom,
// frame at Headroom, exactly as read(2) fills it), and enters the kernel once. The descriptor
// stays non-blocking, so every read completes during that io_uring_enter, with a frame or with
// EAGAIN, and Receive harvests the results from the completion ring before it returns: a burst of
// 32 frames costs one system call instead of 32, and a frame waits no longer than before.
//
// An EAGAIN says the device's queue is empty. The same submission carries a one-shot
// IORING_OP_POLL_ADD (POLLIN) behind the reads, issued after them: if a frame slipped in, it
// completes at once; otherwise it waits in the kernel and completes when the next frame arrives.
// Until then Receive makes no system call at all, and the idle waiter sleeps in poll(2) on the
// ring's descriptor, which that completion makes readable.
//
// Why not keep reads posted on a blocking descriptor (the first version of this port did): each
// posted read then waits on the device's wait queue, and every arriving frame wakes all of them;
// one gets the frame and the rest retry and wait again. With 64 reads posted that herd made the
// port slower than one read(2) per frame whenever the switch kept up with the traffic.
//
// Transmit: one IORING_OP_WRITE per frame, straight from the frame's slot (the header goes into
// the headroom, as for write(2)), all submitted with one io_uring_enter. The slot goes back to the
// pool only when its write's completion is read: a TAP write copies the frame into an skb while
// it is issued, so completions are normally there when io_uring_enter returns and are reaped at
// once. Copying into port-owned buffers instead would cost a copy of up to 64 KiB per super-frame
// to save nothing. Transmit reports a frame sent when its write is queued; a write that fails
// later is counted in WriteFailures and, if the device is gone, takes the port down.
//
// Completions of all kinds share one ring, so Reap reads them all at once: write slots go back to
// the pool, poll results set _readable, read results wait in a small queue (_ready) for Receive.
// At most _readTarget reads are outstanding, so that queue never holds more than _readTarget.
public sealed unsafe partial class TapPort
{
    private const uint RingEntries = 256;
    private const ulong KindRead = 1, KindWrite = 2, KindPoll = 3, KindCancel = 4;

    private IoUring? _ring;
    private int _readTarget;
    private int _readBatch = 2;
    private int _readsPosted;
    private int _writesInFlight;
    private bool _readable = true;
    private bool _pollArmed;
    private long[] _ready = [];
    private int _readyHead, _readyCount;

    /// <summary>Writes that the kernel refused after Transmit had queued them.</summary>
    public long WriteFailures { get; private set; }

    /// <summary>Most reads one Receive posts (0 without io_uring).</summary>
    public int MaxReadBatch => _readTarget;

    /// <returns>Null, or why there is no ring.</returns>
    private string? OpenRing()
    {
        int errno = IoUring.TryCreate(RingEntries, out IoUring? ring);
        if (errno != 0) return $"io_uring_setup: {LibC.ErrorText(errno)}";
        _ring = ring;
        // A burst's worth, and a small share of the pool when the pool is small.
        _readTarget = Math.Clamp(_pool.SlotCount / 16, 1, 64);
        _ready = new long[_readTarget];
        return null;
    }

    private int ReceiveRing(Span<FrameDescriptor> burst)
    {
        if (!_up) return 0;
        Reap();
        int n = Harvest(burst, 0);
        if (_readable && n < burst.Length)
        {
            int posted = PostReads(Math.Min(burst.Length - n, _readBatch));
            ArmPoll();
            Submit();
            Reap();
            int before = n;
            n = Harvest(burst, n);
            // A read that finds the queue empty still costs the kernel a request (about as much as
            // a frame's copy), so the batch follows what the device had: it doubles while every read
            // finds a frame and falls back to twice what the last batch found.
            _readBatch = n - before == posted ? Math.Min(posted * 2, _readTarget) : Math.Max(2 * (n - before), 2);
        }
        if (!_readable && !_pollArmed)
        {
            // The poll's completion was read before a read's EAGAIN (they raced in the kernel):
            // without a poll armed nothing would ever say the device has frames again.
            ArmPoll();
            Submit();
        }
        return n;
    }

    private void ArmPoll()
    {
        if (!_pollArmed && _ring!.TryPreparePoll(_fd, (uint)LibC.POLLIN, KindPoll << 32)) _pollArmed = true;
    }

    /// <summary>Turns queued read results into descriptors, from <paramref name="n"/> on.</summary>
    private int Harvest(Span<FrameDescriptor> burst, int n)
    {
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
        return n;
    }

    /// <returns>How many reads were prepared.</returns>
    private int PostReads(int count)
    {
        IoUring ring = _ring!;
        uint length = (uint)(_pool.SlotSize - ReadStart);
        count = Math.Min(count, _readTarget - _readsPosted - _readyCount);
        int posted = 0;
        for (; posted < count && _pool.TryRent(out int slot); posted++)
        {
            // RWF_NOWAIT: an empty device answers EAGAIN now. Without it io_uring parks the read on
            // the device's wait queue, even on a non-blocking descriptor, and every parked read
            // wakes for every frame.
            if (!ring.TryPrepare(IoUringAbi.OpRead, _fd, _pool.SlotAddress(slot) + ReadStart, length, KindRead << 32 | (uint)slot, IoUringAbi.RwfNoWait))
            {
                _pool.Return(slot);
                break;
            }
            _readsPosted++;
        }
        return posted;
    }

    private int TransmitRing(ReadOnlySpan<FrameDescriptor> burst)
    {
        IoUring ring = _ring!;
        int sent = 0;
        foreach (ref readonly FrameDescriptor d in burst)
        {
            // Every request in flight (the poll too) must have room for its completion in the completion ring.
            if (_up && (ring.SubmissionSpace == 0 || _readsPosted + _writesInFlight + 1 >= ring.CompletionEntries))
            {
                Submit();
                Reap();
            }
            if (!_up || ring.SubmissionSpace == 0 || _readsPosted + _writesInFlight + 1 >= ring.CompletionEntries)
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
                    if (cqe.Result == -LibC.EAGAIN)
                    {
                        // The queue ran dry: no more reads until the poll says a frame is there.
                        _pool.Return(slot);
                        _readable = false;
                        break;
                    }
                    int tail = _readyHead + _readyCount;
                    _ready[tail >= _ready.Length ? tail - _ready.Length : tail] = (long)cqe.Result << 32 | (uint)slot;
                    _readyCount++;
                    break;
                case KindPoll:
                    // Readable, or an error (the device went away): either way the next reads tell.
                    _pollArmed = false;
                    _readable = true;
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
        if (_readsPosted + _writesInFlight > 0 || _pollArmed)
        {
            ring.TryPrepareCancelAll(_fd, KindCancel << 32);
            ring.Submit();
            var wait = new PollFd { Fd = ring.FileDescriptor, Events = LibC.POLLIN };
            for (int tries = 0; tries < 100 && (_readsPosted + _writesInFlight > 0 || _pollArmed); tries++)
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
