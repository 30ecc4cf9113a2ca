using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Capture;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Capture;

public class CaptureRingTests
{
    [Fact]
    public void FullRing_CountsLostCopies_ReadsBackInOrder_WrapsAround()
    {
        var ring = new CaptureRing(0); // the minimum: 64 KiB and two headers
        byte[] frame = new byte[1500];
        int written = 0;
        while (ring.TryWrite(frame, frame.Length, 1, (int)CaptureDirection.Rx)) frame[0] = (byte)++written;
        Assert.Equal(1, ring.Lost);
        Assert.Equal(written, ring.Copied);

        // Drain half, then write across the end of the buffer: the order holds through the padding.
        for (int i = 0; i < written / 2; i++)
        {
            Assert.True(ring.TryRead(out CaptureRecord r));
            Assert.Equal((byte)i, r.Bytes[0]);
            ring.Release(r);
        }
        int more = 0;
        while (ring.TryWrite(frame, frame.Length, 2, (int)CaptureDirection.Tx | 3 << 8)) frame[0] = (byte)(written + ++more);
        Assert.True(more >= written / 2 - 1, $"{more} written after draining {written / 2}");
        int next = written / 2;
        while (ring.TryRead(out CaptureRecord r))
        {
            Assert.Equal((byte)next, r.Bytes[0]);
            Assert.Equal(1500, r.OriginalLength);
            if (next >= written)
            {
                Assert.Equal(CaptureDirection.Tx, r.Direction);
                Assert.Equal(3, r.Interface);
                Assert.Equal(2, r.Nanoseconds);
            }
            ring.Release(r);
            next++;
        }
        Assert.Equal(written + more, next);
    }

    [Fact]
    public void SlowReader_LosesCaptureCopies_NeverADatapathFrame()
    {
        using var pool = new FramePool(256, 2048);
        var loop = new ForwardingLoop(pool, new ManualClock());
        var a = new MemoryPort("a", pool);
        var b = new MemoryPort("b", pool);
        AttachedPort attached = loop.AddPort(a);
        loop.AddPort(b);
        var ring = new CaptureRing(0);
        attached.Capture = new PortCapture(ring, CaptureDirection.Both, snapLength: 1400, interfaceIndex: 0);
        byte[] big = Udp(A, B, new string('x', 1400));
        for (int round = 0; round < 10; round++)
        {
            for (int i = 0; i < 16; i++) a.Enqueue(big);
            loop.RunOnce();
        }
        // Nobody reads the ring: it fills, and the rest of the copies are lost. Every frame went on.
        Assert.Equal(160, b.Sent.Count);
        Assert.True(ring.Lost > 0);
        Assert.Equal(160, ring.Copied + ring.Lost);
        Assert.True(ring.TryRead(out CaptureRecord first));
        Assert.Equal(1400, first.Bytes.Length); // cut to the snap length
        Assert.Equal(big.Length, first.OriginalLength);
        Assert.Equal(pool.SlotCount, pool.Available);
    }

    [Fact]
    public void RemovedPort_DetachesItsCapture()
    {
        using var pool = new FramePool(16, 2048);
        var loop = new ForwardingLoop(pool, new ManualClock());
        AttachedPort attached = loop.AddPort(new MemoryPort("a", pool));
        var capture = new PortCapture(new CaptureRing(0), CaptureDirection.Rx, 100, 0);
        attached.Capture = capture;
        Assert.False(capture.Detached);
        loop.RemovePort(attached.Id);
        Assert.True(capture.Detached);
    }
}
