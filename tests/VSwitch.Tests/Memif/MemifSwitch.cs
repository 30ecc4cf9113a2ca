using VSwitch.Daemon.Ports.Linux;
using VSwitch.Daemon.Ports.Memif;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Memif.Protocol;

namespace VSwitch.Tests.Memif;

/// <summary>The forwarding loop on its own thread with memif server ports on one socket in a temp directory,
/// idling as the daemon does: spin, yield, then sleep in poll on the ports (interrupt mode).</summary>
internal sealed class MemifSwitch : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PollWaiter _waiter = new();
    private readonly List<MemifPort> _ports = [];
    private readonly string _dir;
    private Thread? _thread;

    public MemifSwitch(int sleepMicroseconds = 100_000)
    {
        _dir = Directory.CreateTempSubdirectory("vsmemif").FullName;
        SocketPath = Path.Combine(_dir, "memif.sock");
        Pool = new FramePool(1024, 9216);
        Loop = new ForwardingLoop(Pool, MonotonicClock.Instance,
            new SwitchOptions { Idle = new IdlePolicy(SpinMicroseconds: 1000, YieldMicroseconds: 200, SleepMicroseconds: sleepMicroseconds), Waiter = _waiter });
    }

    public string SocketPath { get; }
    public FramePool Pool { get; }
    public ForwardingLoop Loop { get; }

    public MemifPort Add(uint id, string? secret = null) =>
        Attach(new MemifPort("memif" + id, new MemifPortOptions(SocketPath, id, MemifRole.Server, secret), Pool));

    /// <summary>A port in the client role, connecting to another switch's socket.</summary>
    public MemifPort AddClient(string socket, uint id, int log2RingSize = 10, uint bufferSize = 2048) =>
        Attach(new MemifPort("uplink" + id, new MemifPortOptions(socket, id, MemifRole.Client, null, log2RingSize, bufferSize), Pool));

    /// <summary>Removes a port from the running loop and closes it on the loop's thread, as the daemon does.</summary>
    public void Remove(MemifPort port)
    {
        Loop.Invoke(l =>
        {
            foreach (var a in l.Ports.All)
                if (ReferenceEquals(a.Port, port)) l.RemovePort(a.Id);
            port.Dispose();
            return 0;
        }).Wait(TimeSpan.FromSeconds(5));
        _ports.Remove(port);
    }

    private MemifPort Attach(MemifPort port)
    {
        _ports.Add(port);
        if (_thread is null) Loop.AddPort(port);
        else Loop.Invoke(l => l.AddPort(port)).Wait(TimeSpan.FromSeconds(5));
        return port;
    }

    public void Start()
    {
        _thread = new Thread(() => Loop.Run(_stop.Token)) { IsBackground = true, Name = "memif-test-loop" };
        _thread.Start();
    }

    public MemifPortStatus Status(MemifPort port) => Loop.Invoke(_ => port.Status()).WaitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();

    /// <summary>Waits until <paramref name="condition"/> holds for the port's status (the loop updates it on its own time).</summary>
    public MemifPortStatus WaitFor(MemifPort port, Func<MemifPortStatus, bool> condition, int seconds = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        MemifPortStatus s;
        while (!condition(s = Status(port)) && DateTime.UtcNow < deadline) Thread.Sleep(10);
        return s;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _waiter.Wake();
        _thread?.Join();
        foreach (MemifPort p in _ports) p.Dispose();
        Pool.Dispose();
        _waiter.Dispose();
        _stop.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
