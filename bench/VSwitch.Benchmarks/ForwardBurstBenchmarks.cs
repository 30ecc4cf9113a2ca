using BenchmarkDotNet.Attributes;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Capture;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;

namespace VSwitch.Benchmarks;

/// <summary>
/// The forwarding path for 64-byte frames in bursts of 32: ingress checks, learning, lookup and
/// egress through <see cref="ForwardingLoop.RunOnce"/>, per frame.
/// </summary>
/// <remarks>The baseline moves the same frames from one synthetic port to the other with no
/// pipeline at all, so the difference is what the switch itself costs.</remarks>
[MemoryDiagnoser]
public class ForwardBurstBenchmarks
{
    private const int Frames = Burst.MaxSize;

    private FramePool _pool = null!;
    private ForwardingLoop _loop = null!;
    private SyntheticPort _in = null!;
    private SyntheticPort _out = null!;
    private SyntheticPort _flood = null!;
    private readonly FrameDescriptor[] _burst = new FrameDescriptor[Frames];
    private AttachedPort _inPort = null!;
    private readonly PortCapture _capture = new(new CaptureRing(4 << 20), CaptureDirection.Rx, snapLength: 262144, interfaceIndex: 0);

    [GlobalSetup]
    public void Setup()
    {
        _pool = new FramePool(1024, frameCapacity: 2048);
        _loop = new ForwardingLoop(_pool, new ManualClock());
        _in = new SyntheticPort("in", _pool, BenchFrames.Udp64(BenchFrames.MacA, BenchFrames.MacB));
        _out = new SyntheticPort("out", _pool, BenchFrames.Udp64(BenchFrames.MacB, BenchFrames.MacA));
        _flood = new SyntheticPort("other", _pool, BenchFrames.Udp64(BenchFrames.MacB, BenchFrames.MacA));
        _inPort = _loop.AddPort(_in);
        _loop.AddPort(_out);
        _loop.AddPort(_flood);
        // B speaks once so that the switch learns it on "out": A's frames are then unicast.
        _out.Pending = 1;
        _loop.RunOnce();
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public int PortToPort64x32()
    {
        _in.Pending = Frames;
        int n = _in.Receive(_burst);
        return _out.Transmit(_burst.AsSpan(0, n));
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public int ForwardBurst64x32()
    {
        _in.Pending = Frames;
        return _loop.RunOnce();
    }

    /// <summary><c>vswitchctl capture</c> on the receiving port: each frame copied into the ring (the
    /// reader's side, draining it, is done here too, outside the loop but inside the timing).</summary>
    [Benchmark(OperationsPerInvoke = Frames)]
    public int ForwardBurstCaptured64x32()
    {
        _inPort.Capture = _capture;
        _in.Pending = Frames;
        int n = _loop.RunOnce();
        _inPort.Capture = null;
        CaptureRing ring = _capture.Ring;
        while (ring.TryRead(out CaptureRecord record)) ring.Release(record);
        return n;
    }
}
