using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>The forwarding loop on a thread of the test process, for tests of one port type.</summary>
/// <remarks>The daemon tests start vswitchd as a user would; these isolate a port driver.</remarks>
public sealed class InProcessSwitch : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IPort> _ports = [];
    private Thread? _thread;

    public InProcessSwitch(IdlePolicy? idle = null)
    {
        Pool = new FramePool(2048);
        Loop = new ForwardingLoop(Pool, MonotonicClock.Instance, new SwitchOptions { Idle = idle ?? IdlePolicy.Default });
    }

    public FramePool Pool { get; }
    public ForwardingLoop Loop { get; }

    public void Add(IPort port)
    {
        _ports.Add(port);
        Loop.AddPort(port);
    }

    public void Start()
    {
        _thread = new Thread(() => Loop.Run(_stop.Token)) { IsBackground = true, Name = "forwarding" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join();
        foreach (IPort p in _ports) p.Dispose();
        Pool.Dispose();
        _stop.Dispose();
    }
}
