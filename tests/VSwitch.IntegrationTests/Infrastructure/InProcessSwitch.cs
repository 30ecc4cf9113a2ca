using VSwitch.Daemon.Ports.Linux;
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

    private readonly PollWaiter _waiter = new();

    public InProcessSwitch()
    {
        Pool = new FramePool(2048);
        // As the daemon runs it: spin, yield, then sleep in poll on the ports until a frame arrives.
        Loop = new ForwardingLoop(Pool, MonotonicClock.Instance,
            new SwitchOptions { Idle = new IdlePolicy(SleepMicroseconds: 100_000), Waiter = _waiter });
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
        _waiter.Dispose();
    }
}
