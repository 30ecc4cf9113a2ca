using System.Runtime.InteropServices;
using VSwitch.Daemon.Ports.Linux;

namespace VSwitch.Tests.Ports;

/// <summary>The io_uring wrapper against the kernel, with no-op requests: no root, no device.</summary>
public unsafe class IoUringTests
{
    [Fact]
    public void Structures_MatchTheKernelHeader()
    {
        // Sizes and offsets from include/uapi/linux/io_uring.h.
        Assert.Equal(120, Marshal.SizeOf<IoUringParams>());
        Assert.Equal(40, (int)Marshal.OffsetOf<IoUringParams>(nameof(IoUringParams.SqOff)));
        Assert.Equal(80, (int)Marshal.OffsetOf<IoUringParams>(nameof(IoUringParams.CqOff)));
        Assert.Equal(64, Marshal.SizeOf<IoUringSqe>());
        Assert.Equal(16, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.Address)));
        Assert.Equal(24, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.Length)));
        Assert.Equal(28, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.OpFlags)));
        Assert.Equal(32, (int)Marshal.OffsetOf<IoUringSqe>(nameof(IoUringSqe.UserData)));
        Assert.Equal(16, Marshal.SizeOf<IoUringCqe>());
        Assert.Equal(8, (int)Marshal.OffsetOf<IoUringCqe>(nameof(IoUringCqe.Result)));
    }

    [Fact]
    public void TryPrepare_RingFull_SaysNoUntilSubmitted()
    {
        using IoUring ring = Create(8);
        Assert.Equal(8u, ring.SubmissionEntries);
        Assert.Equal(16u, ring.CompletionEntries);
        for (ulong i = 0; i < 8; i++) Assert.True(ring.TryPrepare(IoUringAbi.OpNop, -1, null, 0, i));
        Assert.False(ring.TryPrepare(IoUringAbi.OpNop, -1, null, 0, 8));
        Assert.Equal(8u, ring.Pending);
        Assert.Equal(0, ring.Submit());
        Assert.Equal(0u, ring.Pending);
        Assert.Equal(8u, ring.SubmissionSpace);
    }

    [Fact]
    public void Submit_ManyTimesRoundTheRing_EveryCompletionOnceInOrder()
    {
        // 1000 requests through an 8-entry ring: both rings' indices wrap over a hundred times.
        using IoUring ring = Create(8);
        ulong next = 0, expected = 0;
        while (expected < 1000)
        {
            uint batch = (uint)(next % 5) + 1;  // uneven batches, so wrap points move around
            for (uint i = 0; i < batch && next < 1000; i++) Assert.True(ring.TryPrepare(IoUringAbi.OpNop, -1, null, 0, next++));
            Assert.Equal(0, ring.Submit());
            uint ready = ring.Ready;
            for (uint i = 0; i < ready; i++)
            {
                ref readonly IoUringCqe cqe = ref ring.Completion(i);
                Assert.Equal(expected++, cqe.UserData);
                Assert.Equal(0, cqe.Result);
            }
            ring.Consume(ready);
        }
        Assert.Equal(0u, ring.Ready);
    }

    [Fact]
    public void Submit_WaitFor_BlocksUntilCompleted()
    {
        using IoUring ring = Create(4);
        Assert.True(ring.TryPrepare(IoUringAbi.OpNop, -1, null, 0, 42));
        Assert.Equal(0, ring.Submit(waitFor: 1));
        Assert.Equal(1u, ring.Ready);
        Assert.Equal(42ul, ring.Completion(0).UserData);
    }

    private static IoUring Create(uint entries)
    {
        int errno = IoUring.TryCreate(entries, out IoUring? ring);
        // Only a kernel without io_uring, or a sandbox that forbids it, gets here with an errno.
        if (errno is 38 or 1) Assert.Skip($"io_uring unavailable here (errno {errno})");
        Assert.Equal(0, errno);
        return ring!;
    }
}
