using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;
using VSwitch.Tests.CrossCheck;
using VSwitch.Tests.Scenarios;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Tests.Peephole;

/// <summary>
/// The real forwarding loop with three memory ports, access VLAN 1, answering from the tables of
/// a peephole capture folder: what responder tests send single frames through.
/// </summary>
internal sealed class PeepholeTestSwitch : IDisposable
{
    private readonly MemoryPort[] _ports;

    public PeepholeTestSwitch(string scenario = "dns-answers", int slots = 64, SwitchOptions? options = null)
    {
        string dir = Path.Combine(ScenarioFiles.CapturesRoot, "peephole", scenario);
        ScenarioTables files = ScenarioFiles.ReadTopology(dir).Tables ?? throw new InvalidDataException(dir + " has no tables");
        DnsSettings settings = files.Dns;
        PeepholeTables? tables = TableFiles.Load(Path.Combine(dir, "hosts"), Path.Combine(dir, "ethers"), settings, out var errors);
        Assert.True(tables is not null, string.Join("\n", errors));
        Model = TableModel.Load(dir);

        Pool = new FramePool(slots, 4096);
        Loop = new ForwardingLoop(Pool, Clock, options);
        var scopes = (files.Dhcp ?? []).Select(text => DhcpScope.TryParse(text, out DhcpScope? s, out string e) ? s! : throw new InvalidDataException(e)).ToList();
        Loop.Peephole.Binding = TableBinding.For(tables!.WithDhcp(scopes), [VlanMode.DefaultVlan]);
        _ports = [.. Enumerable.Range(1, 3).Select(i => new MemoryPort("p" + i, Pool))];
        foreach (MemoryPort port in _ports) Loop.AddPort(port);
    }

    public FramePool Pool { get; }

    /// <summary>The loop's clock: each <see cref="Send"/> moves it on by <see cref="Step"/>.</summary>
    public ManualClock Clock { get; } = new();

    /// <summary>How far each <see cref="Send"/> moves the clock: a millisecond by default, as a host
    /// sending a thousand frames a second would, well inside the default reply rate limit.</summary>
    public TimeSpan Step { get; set; } = TimeSpan.FromMilliseconds(1);

    public ForwardingLoop Loop { get; }

    /// <summary>The same tables, as the tests read them.</summary>
    public TableModel Model { get; }

    /// <summary>Sends <paramref name="frame"/> in by port p1 (or <paramref name="port"/>: 0-2) and runs the loop once; returns every frame that left, by port index.</summary>
    public List<(int Port, byte[] Frame)> Send(byte[] frame, int port = 0)
    {
        _ports[port].Enqueue(frame);
        Clock.Advance(Step);
        Loop.RunOnce();
        var sent = new List<(int, byte[])>();
        for (int i = 0; i < _ports.Length; i++)
        {
            sent.AddRange(_ports[i].Sent.Select(f => (i, f)));
            _ports[i].Sent.Clear();
        }
        return sent;
    }

    /// <summary>A counter by its path, as <c>vswitchctl stats</c> prints it.</summary>
    public long Counter(string path) => Loop.CounterSnapshot().Single(kv => kv.Key == path).Value;

    public void Dispose() => Pool.Dispose();
}
