using System.Runtime.CompilerServices;

namespace VSwitch.Daemon.Ports.Linux;

/// <summary>
/// One io_uring instance: a submission ring of requests the process fills and a completion ring
/// the kernel fills, both mapped into this process, so many reads and writes cost one
/// io_uring_enter and their results cost no system call at all.
/// </summary>
/// <remarks>
/// <para>Single-threaded, like the ports that use it: the forwarding loop is the only producer of
/// submissions and the only consumer of completions. On x86 the acquire/release the protocol
/// needs (tails published after the entries, heads after the entries are read) is what
/// <see cref="Volatile"/> gives.</para>
/// <para>The submission index array is set once to the identity (entry i at index i), so a
/// submission's slot in the entry array is its position in the ring; the completion ring is twice
/// the submission ring, the kernel's default, and the kernel keeps overflowing completions
/// (IORING_FEAT_NODROP, required here) rather than lose them.</para>
/// <para>No SQPOLL thread: on a 2-core machine a kernel thread spinning on the ring would take the
/// core the traffic generator or the other port needs; one io_uring_enter per burst is the cost.</para>
/// </remarks>
internal sealed unsafe class IoUring : IDisposable
{
    private readonly byte* _ringMap;
    private readonly nuint _ringMapLength;
    private readonly IoUringSqe* _sqes;
    private readonly nuint _sqesLength;
    private readonly uint* _sqHead, _sqTail, _sqFlags;
    private readonly uint* _cqHead, _cqTail;
    private readonly IoUringCqe* _cqes;
    private readonly uint _sqMask, _cqMask;
    private uint _sqLocalTail;
    private uint _toSubmit;

    private IoUring(int fd, in IoUringParams p, byte* ringMap, nuint ringMapLength, IoUringSqe* sqes, nuint sqesLength)
    {
        FileDescriptor = fd;
        _ringMap = ringMap;
        _ringMapLength = ringMapLength;
        _sqes = sqes;
        _sqesLength = sqesLength;
        _sqHead = (uint*)(ringMap + p.SqOff.Head);
        _sqTail = (uint*)(ringMap + p.SqOff.Tail);
        _sqFlags = (uint*)(ringMap + p.SqOff.Flags);
        _sqMask = *(uint*)(ringMap + p.SqOff.RingMask);
        SubmissionEntries = *(uint*)(ringMap + p.SqOff.RingEntries);
        _cqHead = (uint*)(ringMap + p.CqOff.Head);
        _cqTail = (uint*)(ringMap + p.CqOff.Tail);
        _cqMask = *(uint*)(ringMap + p.CqOff.RingMask);
        CompletionEntries = *(uint*)(ringMap + p.CqOff.RingEntries);
        _cqes = (IoUringCqe*)(ringMap + p.CqOff.Cqes);
        uint* array = (uint*)(ringMap + p.SqOff.Array);
        for (uint i = 0; i < SubmissionEntries; i++) array[i] = i;
        _sqLocalTail = *_sqTail;
    }

    /// <summary>The ring's descriptor: poll(2) reports it readable while completions wait.</summary>
    public int FileDescriptor { get; private set; }

    public uint SubmissionEntries { get; }

    public uint CompletionEntries { get; }

    /// <summary>Requests prepared and not yet handed to the kernel.</summary>
    public uint Pending => _toSubmit;

    /// <summary>Sets up a ring of at least <paramref name="entries"/> submissions (a power of two
    /// is used as is). Returns 0, or the errno that says why there is no ring (ENOSYS: the kernel
    /// has none; EPERM: a seccomp filter or kernel.io_uring_disabled forbids it; ENOTSUP: the
    /// kernel lacks a feature this class relies on).</summary>
    public static int TryCreate(uint entries, out IoUring? ring)
    {
        ring = null;
        IoUringParams p = default;
        int fd = IoUringAbi.Setup(entries, &p);
        if (fd < 0) return LibC.LastError;
        const uint Needed = IoUringAbi.FeatSingleMmap | IoUringAbi.FeatNoDrop;
        if ((p.Features & Needed) != Needed)
        {
            LibC.Close(fd);
            return LibC.ENOTSUP;
        }
        // Since IORING_FEAT_SINGLE_MMAP one mapping holds both rings; it must cover the larger.
        nuint sqRingLength = p.SqOff.Array + p.SqEntries * sizeof(uint);
        nuint cqRingLength = p.CqOff.Cqes + p.CqEntries * (uint)sizeof(IoUringCqe);
        nuint ringLength = Math.Max(sqRingLength, cqRingLength);
        void* ringMap = LibC.Mmap(null, ringLength, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_POPULATE, fd, (nint)IoUringAbi.OffSqRing);
        if (ringMap == (void*)-1) return Fail(fd, null, 0);
        nuint sqesLength = p.SqEntries * (uint)sizeof(IoUringSqe);
        void* sqes = LibC.Mmap(null, sqesLength, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_POPULATE, fd, (nint)IoUringAbi.OffSqes);
        if (sqes == (void*)-1) return Fail(fd, ringMap, ringLength);
        ring = new IoUring(fd, p, (byte*)ringMap, ringLength, (IoUringSqe*)sqes, sqesLength);
        return 0;

        static int Fail(int fd, void* map, nuint length)
        {
            int errno = LibC.LastError;
            if (map is not null) LibC.Munmap(map, length);
            LibC.Close(fd);
            return errno;
        }
    }

    /// <summary>Submission entries free for <see cref="TryPrepare"/> right now.</summary>
    public uint SubmissionSpace
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SubmissionEntries - (_sqLocalTail - Volatile.Read(ref *_sqHead));
    }

    /// <summary>Fills the next submission entry (cleared first) with one request; false when the
    /// submission ring is full (submit, then try again). <paramref name="opFlags"/> is the
    /// operation's flags word (rw_flags for reads and writes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPrepare(byte opcode, int fd, void* buffer, uint length, ulong userData, uint opFlags = 0)
    {
        if (SubmissionSpace == 0) return false;
        IoUringSqe* sqe = _sqes + (_sqLocalTail & _sqMask);
        *sqe = default;
        sqe->Opcode = opcode;
        sqe->Fd = fd;
        sqe->Address = (ulong)buffer;
        sqe->Length = length;
        sqe->UserData = userData;
        sqe->OpFlags = opFlags;
        _sqLocalTail++;
        _toSubmit++;
        return true;
    }

    /// <summary>Asks for one completion when <paramref name="fd"/> has any of <paramref name="events"/>
    /// (a one-shot poll; its result is the events seen); false when the ring is full.</summary>
    public bool TryPreparePoll(int fd, uint events, ulong userData)
    {
        if (!TryPrepare(IoUringAbi.OpPollAdd, fd, null, 0, userData)) return false;
        _sqes[(_sqLocalTail - 1) & _sqMask].OpFlags = events;
        return true;
    }

    /// <summary>Asks the kernel to cancel every request on <paramref name="fd"/> (each then
    /// completes with -ECANCELED unless it completed first); false when the ring is full.</summary>
    public bool TryPrepareCancelAll(int fd, ulong userData)
    {
        if (!TryPrepare(IoUringAbi.OpAsyncCancel, fd, null, 0, userData)) return false;
        _sqes[(_sqLocalTail - 1) & _sqMask].OpFlags = IoUringAbi.AsyncCancelAll | IoUringAbi.AsyncCancelFd;
        return true;
    }

    /// <summary>Publishes the prepared requests and enters the kernel once for all of them (or for
    /// a completion overflow), optionally waiting for <paramref name="waitFor"/> completions. Returns 0 or an errno;
    /// EINTR, EAGAIN and EBUSY leave the requests queued for the next call.</summary>
    public int Submit(uint waitFor = 0)
    {
        if (_toSubmit == 0 && waitFor == 0 && !Overflowed) return 0;
        Volatile.Write(ref *_sqTail, _sqLocalTail);
        // GETEVENTS with nothing to wait for costs nothing more and also moves completions the
        // kernel kept aside for a full ring (NODROP) back into it.
        int taken = IoUringAbi.Enter(FileDescriptor, _toSubmit, waitFor, IoUringAbi.EnterGetEvents);
        if (taken < 0) return LibC.LastError;
        _toSubmit -= (uint)taken;
        return 0;
    }

    /// <summary>Completions waiting to be read.</summary>
    public uint Ready
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref *_cqTail) - *_cqHead;
    }

    /// <summary>The <paramref name="index"/>th waiting completion (0 is the oldest); valid until
    /// <see cref="Consume"/> moves past it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly IoUringCqe Completion(uint index) => ref _cqes[(*_cqHead + index) & _cqMask];

    /// <summary>Gives <paramref name="count"/> completions back to the kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Consume(uint count) => Volatile.Write(ref *_cqHead, *_cqHead + count);

    /// <summary>Whether the kernel holds completions the ring had no room for (they are delivered
    /// by the next io_uring_enter).</summary>
    public bool Overflowed => (Volatile.Read(ref *_sqFlags) & IoUringAbi.SqCqOverflow) != 0;

    public void Dispose()
    {
        if (FileDescriptor < 0) return;
        LibC.Munmap(_sqes, _sqesLength);
        LibC.Munmap(_ringMap, _ringMapLength);
        LibC.Close(FileDescriptor);
        FileDescriptor = -1;
    }
}
