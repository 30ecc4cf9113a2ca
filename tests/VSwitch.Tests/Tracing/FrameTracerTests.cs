using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Tenancy;
using VSwitch.Datapath.Tracing;
using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Tracing;

/// <summary>A dry run says what the switch then really does with the same frame, for every outcome,
/// and changes nothing: no counter, no learned address, no rate-limit token.</summary>
public sealed class FrameTracerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vs-trace-").FullName;
    private readonly FramePool _pool = new(64, 4096);
    private readonly ManualClock _clock = new();
    private readonly ForwardingLoop _loop;
    private readonly MemoryPort _access, _other, _trunk, _small;

    public FrameTracerTests()
    {
        File.WriteAllText(Path.Combine(_dir, "hosts"), $"{B.Ip} b.lab\n");
        File.WriteAllText(Path.Combine(_dir, "ethers"), $"{B.MacText} {B.Ip}\n");
        PeepholeTables? tables = TableFiles.Load(Path.Combine(_dir, "hosts"), Path.Combine(_dir, "ethers"), new DnsSettings(), out var errors);
        Assert.True(tables is not null, string.Join("\n", errors));
        _loop = new ForwardingLoop(_pool, _clock, new SwitchOptions { PeepholeRateLimit = 100 });
        _loop.Peephole.Binding = TableBinding.For(tables!, [1, 10]);
        _loop.AddPort(_access = new MemoryPort("access", _pool));
        _loop.AddPort(_other = new MemoryPort("other", _pool));
        _loop.AddPort(_trunk = new MemoryPort("trunk", _pool), new PortConfig(VlanMode.Trunk([1, 10, 20])));
        _loop.AddPort(_small = new MemoryPort("small", _pool), new PortConfig(VlanMode.Access(), Mtu: 100));
    }

    public void Dispose()
    {
        _pool.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, string, string, string?> Cases() => new()
    {
        // name, port, frame (hex), expected verdict/drop
        { "answered", "access", Hex(ArpRequest(A, B)), "answered" },
        { "flooded", "access", Hex(Udp(A, C, "to nobody known")), "flooded" },
        { "runt", "access", "0200000000", "dropped:runt" },
        { "malformed", "access", Hex(Malformed()), "dropped:malformed" },
        { "multicast-source", "access", Hex(Udp(new Host("01:00:5e:00:00:01", "198.18.0.1"), B, "x")), "dropped:multicast-source" },
        { "tagged-on-access", "access", Hex(Tagged(Udp(A, B, "x"), 10)), "dropped:tagged-on-access" },
        { "untagged-on-trunk", "trunk", Hex(Udp(A, B, "x")), "dropped:untagged-on-trunk" },
        { "vlan-not-allowed", "trunk", Hex(Tagged(Udp(A, B, "x"), 30)), "dropped:vlan-not-allowed" },
        { "over-mtu", "small", Hex(Udp(A, B, "x", padTo: 200)), "dropped:over-mtu" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Trace_SaysWhatTheSwitchThenDoes(string name, string port, string hex, string? expected)
    {
        ushort id = Port(port);
        byte[] frame = Convert.FromHexString(hex);
        var before = _loop.CounterSnapshot();
        FrameTrace trace = _loop.Trace(id, frame);
        Assert.Equal(before, _loop.CounterSnapshot());   // the trace counted nothing
        Assert.Equal(expected, trace.Verdict + (trace.DropReason is null ? "" : ":" + trace.DropReason));

        // Now for real: the same frame, and what the counters and ports say.
        int sentBefore = SentTotal();
        Mem(port).Enqueue(frame);
        _loop.RunOnce();
        var after = _loop.CounterSnapshot().ToDictionary(kv => kv.Key, kv => kv.Value);
        if (trace.DropReason is string reason)
        {
            Assert.Equal(1, after[$"port/{port}/drop/{reason}"]);
            Assert.Equal(sentBefore, SentTotal());
        }
        else
        {
            // Each egress the trace listed got the frame (or its reply), and no other port did.
            foreach (TraceEgress e in trace.Egress) Assert.True(Mem(e.Port).Sent.Count > 0, $"{name}: nothing sent on {e.Port}");
            Assert.Equal(sentBefore + trace.Egress.Count(e => !e.Action.StartsWith("drop", StringComparison.Ordinal)), SentTotal());
        }
        if (trace.Reply is not null) Assert.Equal(trace.Reply, _access.Sent.Single());
    }

    [Fact]
    public void KnownDestination_Forwarded_SamePort_Dropped_AsTheSwitchDoes()
    {
        _other.Enqueue(Udp(B, A, "B is at other"));
        _loop.RunOnce();
        FrameTrace forward = _loop.Trace(Port("access"), Udp(A, B, "to B"));
        Assert.Equal("forwarded", forward.Verdict);
        Assert.Equal([new TraceEgress("other", "untagged")], forward.Egress);
        FrameTrace same = _loop.Trace(Port("other"), Udp(C, B, "from B's own port"));
        Assert.Equal("same-port", same.DropReason);

        _other.Sent.Clear();
        _other.Enqueue(Udp(C, B, "from B's own port"));
        _loop.RunOnce();
        Assert.Empty(_other.Sent);
        Assert.Equal(1, _loop.CounterSnapshot().Single(kv => kv.Key == "port/other/drop/same-port").Value);
    }

    [Fact]
    public void Trace_ChangesNoState_NoLearning_NoToken()
    {
        var fdb = _loop.MacTable.Snapshot(_clock.NowNanoseconds);
        for (int i = 0; i < 20; i++) Assert.Equal("answered", _loop.Trace(Port("access"), ArpRequest(A, B)).Verdict);
        Assert.Equal(fdb, _loop.MacTable.Snapshot(_clock.NowNanoseconds));
        // Twenty dry runs spent none of the burst of 10 replies the port may send at once: ten real ones are all answered.
        for (int i = 0; i < 10; i++) _access.Enqueue(ArpRequest(A, B));
        _loop.RunOnce();
        Assert.Equal(10, _access.Sent.Count);
        // The eleventh is over the rate, and the trace says so without spending anything.
        FrameTrace limited = _loop.Trace(Port("access"), ArpRequest(A, B));
        Assert.Contains(limited.Steps, s => s.Stage == "peephole" && s.Decision.Contains("reply rate", StringComparison.Ordinal));
    }

    [Fact]
    public void TaggedEgress_AndPortDown_AreSaid_AsTheSwitchDoes()
    {
        _other.IsUp = false;
        FrameTrace flood = _loop.Trace(Port("access"), Udp(A, C, "flood on 1"));
        Assert.Equal(
            [new TraceEgress("other", "drop: port-down"), new TraceEgress("trunk", "tagged VLAN 1"), new TraceEgress("small", "untagged")],
            flood.Egress);
        _access.Enqueue(Udp(A, C, "flood on 1"));
        _loop.RunOnce();
        Assert.Empty(_other.Sent);
        Assert.Equal(1, _loop.CounterSnapshot().Single(kv => kv.Key == "port/other/drop/port-down").Value);
        byte[] tagged = _trunk.Sent.Single();
        Assert.Equal(0x8100, tagged[12] << 8 | tagged[13]);
        Assert.Equal(1, (tagged[14] << 8 | tagged[15]) & 0xFFF);
        Assert.Single(_small.Sent);
    }

    [Fact]
    public void LiveTrace_TracesTheNextFrames_ThenClearsItself()
    {
        var live = new LiveTrace(Port("access"), 2);
        _loop.Live = live;
        _access.Enqueue(ArpRequest(A, B));
        _access.Enqueue(Tagged(Udp(A, B, "x"), 10));
        _access.Enqueue(Udp(A, C, "not traced"));
        _loop.RunOnce();
        Assert.True(live.Done);
        Assert.Null(_loop.Live);
        Assert.True(live.Traces.TryDequeue(out FrameTrace? first));
        Assert.Equal(("answered", "answered"), (first!.Verdict, first.Actual));
        Assert.True(live.Traces.TryDequeue(out FrameTrace? second));
        Assert.Equal("dropped: tagged-on-access", second!.Actual);
        Assert.False(live.Traces.TryDequeue(out _));
    }

    private static byte[] Malformed()
    {
        // An 802.3 frame whose length field says more than it carries.
        byte[] f = Udp(A, B, "x");
        f[12] = 0x05;
        f[13] = 0xDC;
        return f;
    }

    private static string Hex(byte[] b) => Convert.ToHexString(b);

    private ushort Port(string name) => _loop.Ports.All.Single(p => p.Port.Name == name).Id;

    private MemoryPort Mem(string name) => name switch { "access" => _access, "other" => _other, "trunk" => _trunk, _ => _small };

    private int SentTotal() => _access.Sent.Count + _other.Sent.Count + _trunk.Sent.Count + _small.Sent.Count;
}
