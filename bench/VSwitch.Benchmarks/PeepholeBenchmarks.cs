using BenchmarkDotNet.Attributes;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Benchmarks;

/// <summary>
/// The peephole inside the full pipeline, per frame in bursts of 32: the tax on ordinary traffic,
/// and the cost of answering ARP and DNS, with small and million-name tables.
/// </summary>
/// <remarks>The baseline forwards the same ordinary UDP frames with no tables bound, so the
/// classifier does no work at all; <c>ClassifyNotAQuery</c> minus the baseline is the tax.</remarks>
[MemoryDiagnoser]
public class PeepholeBenchmarks
{
    private const int Frames = Burst.MaxSize;

    [Params(1, 1_000_000)]
    public int Names { get; set; }

    private FramePool _pool = null!;
    private ForwardingLoop _loop = null!;
    private SyntheticPort _udp = null!, _arp = null!, _dnsHit = null!, _dnsPtr = null!, _dnsMiss = null!, _dhcp = null!;
    private TableBinding _binding = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new FramePool(1024, frameCapacity: 2048);
        // No reply rate limit: the clock never moves, so a limited bucket would empty after its
        // first burst and every later reply would measure the rate-limited path instead.
        _loop = new ForwardingLoop(_pool, new ManualClock(), new SwitchOptions { PeepholeRateLimit = 0 });
        _udp = Add("udp", BenchFrames.Udp64(BenchFrames.MacA, BenchFrames.MacB));
        _arp = Add("arp", BenchFrames.ArpRequest(BenchFrames.MacA, 0xC612000A, 0xC6120014));
        _dnsHit = Add("dns-hit", BenchFrames.DnsQuery(BenchFrames.MacA, BenchFrames.MacB, Names > 1 ? "h123456.bench.cluster.local" : "web.cluster.local"));
        // PTR for web.cluster.local's address: the reverse map refers to the name in the names map.
        _dnsPtr = Add("dns-ptr", BenchFrames.DnsQuery(BenchFrames.MacA, BenchFrames.MacB, "20.0.18.198.in-addr.arpa", type: 12));
        _dnsMiss = Add("dns-miss", BenchFrames.DnsQuery(BenchFrames.MacA, BenchFrames.MacB, "www.example.org"));
        _dhcp = Add("dhcp", BenchFrames.DhcpDiscover(0x02_00_00_00_00_20));
        var server = Add("server", BenchFrames.Udp64(BenchFrames.MacB, BenchFrames.MacA));
        server.Pending = 1;
        _loop.RunOnce();
        if (!DhcpScope.TryParse("198.18.0.0/24,router=198.18.0.1,dns=198.18.0.53", out DhcpScope? scope, out string error))
            throw new InvalidOperationException(error);
        _binding = TableBinding.For(BenchTables.Build(Names - 1).WithDhcp([scope!]), [1]);
    }

    private SyntheticPort Add(string name, byte[] frame)
    {
        var port = new SyntheticPort(name, _pool, frame);
        _loop.AddPort(port);
        return port;
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public int ForwardNoTables()
    {
        _loop.Peephole.Binding = TableBinding.None;
        return Run(_udp);
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public int ClassifyNotAQuery() => Bound(_udp);

    [Benchmark(OperationsPerInvoke = Frames)]
    public int ArpReply() => Bound(_arp);

    [Benchmark(OperationsPerInvoke = Frames)]
    public int DnsReplyA() => Bound(_dnsHit);

    [Benchmark(OperationsPerInvoke = Frames)]
    public int DnsReplyPtr() => Bound(_dnsPtr);

    [Benchmark(OperationsPerInvoke = Frames)]
    public int DnsMiss() => Bound(_dnsMiss);

    [Benchmark(OperationsPerInvoke = Frames)]
    public int DhcpOffer() => Bound(_dhcp);

    private int Bound(SyntheticPort port)
    {
        _loop.Peephole.Binding = _binding;
        return Run(port);
    }

    private int Run(SyntheticPort port)
    {
        port.Pending = Frames;
        return _loop.RunOnce();
    }
}
