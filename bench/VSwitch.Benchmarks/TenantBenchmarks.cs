using System.Net;
using BenchmarkDotNet.Attributes;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Benchmarks;

/// <summary>
/// The cost of switching tenants: DNS A queries answered on a trunk, every frame from one tenant
/// (the baseline) versus consecutive frames alternating between two tenants with their own tables.
/// </summary>
[MemoryDiagnoser]
public class TenantBenchmarks
{
    private const int Frames = Burst.MaxSize;
    private FramePool _pool = null!;
    private ForwardingLoop _loop = null!;
    private SyntheticPort _oneTenant = null!, _alternating = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new FramePool(1024, frameCapacity: 2048);
        _loop = new ForwardingLoop(_pool, new ManualClock());
        byte[] query = BenchFrames.DnsQuery(BenchFrames.MacA, BenchFrames.MacB, "web.cluster.local");
        byte[] in10 = Tag(query, 10), in20 = Tag(query, 20);
        var trunk = new PortConfig(VlanMode.Trunk([10, 20]));
        _oneTenant = new SyntheticPort("one", _pool, in10);
        _alternating = new SyntheticPort("two", _pool, in10, in20);
        _loop.AddPort(_oneTenant, trunk);
        _loop.AddPort(_alternating, trunk);
        var server = new SyntheticPort("server", _pool, Tag(BenchFrames.Udp64(BenchFrames.MacB, BenchFrames.MacA), 10), Tag(BenchFrames.Udp64(BenchFrames.MacB, BenchFrames.MacA), 20));
        _loop.AddPort(server, trunk);
        server.Pending = 2;
        _loop.RunOnce();
        _loop.Peephole.Binding = TableBinding.None
            .With(new Tenant("a", Tables("198.18.0.20")), [10])
            .With(new Tenant("b", Tables("198.18.0.21")), [20]);
    }

    private static PeepholeTables Tables(string address) =>
        PeepholeTables.Build([new HostsEntry(IPAddress.Parse(address), "web.cluster.local", [], 1)], [], new DnsSettings(), "", out _);

    private static byte[] Tag(byte[] frame, ushort vlan) =>
        [.. frame.AsSpan(0, 12), 0x81, 0x00, (byte)(vlan >> 8), (byte)vlan, .. frame.AsSpan(12)];

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public int DnsReplyOneTenant()
    {
        _oneTenant.Pending = Frames;
        return _loop.RunOnce();
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public int DnsReplyAlternatingTenants()
    {
        _alternating.Pending = Frames;
        return _loop.RunOnce();
    }
}
