using System.Collections.Concurrent;
using System.Diagnostics;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Peephole;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Switching;
using VSwitch.Datapath.Tenancy;
using VSwitch.Datapath.Tracing;

namespace VSwitch.Datapath.Pipeline;

/// <summary>
/// The poll-mode forwarding loop: polls every port for a burst, runs it through the stages,
/// and flushes the transmit queues once per burst.
/// </summary>
/// <remarks>
/// <para>Stages, in order: ingress checks (<see cref="IngressStage"/>), MAC learning, the
/// peephole (<see cref="IPeephole"/>), destination lookup (<see cref="L2Stage"/>) and egress
/// (<see cref="EgressStage"/>). Each stage passes over the whole burst before the next starts,
/// which keeps each stage's code and data hot in cache.</para>
/// <para>Every port type and every test goes through this one loop: a capture replay drives
/// <see cref="RunOnce"/> with a clock set from the capture, the daemon calls <see cref="Run"/>.</para>
/// <para>Single-threaded by design: the loop's thread is the only one that touches the pool,
/// the MAC table, the ports' queues and the counters.</para>
/// </remarks>
public sealed class ForwardingLoop
{
    private readonly FramePool _pool;
    private readonly IClock _clock;
    private readonly SwitchOptions _options;
    private readonly IPeephole _peephole;
    private readonly IngressStage _ingress;
    private readonly L2Stage _l2;
    private readonly EgressStage _egress;
    private readonly FrameTracer _tracer;

    // Work other threads hand to the loop: the loop is the only thread that touches its state.
    private readonly ConcurrentQueue<Action> _commands = new();
    private bool _commandsRan;

    private readonly FrameDescriptor[] _burst = new FrameDescriptor[Burst.MaxSize];

    public ForwardingLoop(FramePool pool, IClock clock, SwitchOptions? options = null, IPeephole? peephole = null)
    {
        _pool = pool;
        _clock = clock;
        _options = options ?? new SwitchOptions();
        Counters = new SwitchCounters();
        MacTable = new MacTable(Counters, _options.MacTableSize, _options.MacAging);
        Ports = new PortTable();
        // The loop always has its PeepholeStage: bindings and limits are set on it. An injected
        // IPeephole (tests of the loop's contract with any responder) takes its place in the burst only.
        Peephole = new PeepholeStage(pool, Ports)
        {
            Limiter = _options.PeepholeRateLimit > 0
                ? new RateLimiter(_options.PeepholeRateLimit, RateLimiter.BurstFor(_options.PeepholeRateLimit))
                : null,
        };
        _peephole = peephole ?? Peephole;
        _ingress = new IngressStage(pool, Ports);
        _l2 = new L2Stage(pool, MacTable);
        _egress = new EgressStage(pool, Ports);
        _tracer = new FrameTracer(pool, Ports, MacTable, _ingress, Peephole);
    }

    public PortTable Ports { get; }

    /// <summary>The responder stage; set its <see cref="PeepholeStage.Binding"/> to answer from tables.</summary>
    public PeepholeStage Peephole { get; }

    public MacTable MacTable { get; }

    public SwitchCounters Counters { get; }

    public FramePool Pool => _pool;

    /// <summary>The counters the loop last published: read them from any thread without stopping it.</summary>
    public CounterPublisher Published { get; } = new();

    /// <summary>Counters of the frames the responders wrote (the pseudo-port "responder").</summary>
    internal PortCounters ResponderCounters => _egress.ResponderCounters;

    public IClock Clock => _clock;

    /// <summary>The next frames of one port to trace as they pass, or null. Set on the loop's thread; it clears itself when done.</summary>
    public LiveTrace? Live { get; set; }

    /// <summary>Runs <paramref name="frame"/> as if it came in on port <paramref name="port"/>, in a dry run (see <see cref="FrameTracer"/>).
    /// On the loop's thread only.</summary>
    public FrameTrace Trace(ushort port, ReadOnlySpan<byte> frame) => _tracer.Trace(port, frame, _clock.NowNanoseconds);

    /// <summary>The longest frame <see cref="Trace"/> takes.</summary>
    public int MaxTraceLength => _tracer.MaxFrameLength;

    /// <summary>Attaches a port; its frames are polled from the next round on.</summary>
    public AttachedPort AddPort(IPort port, PortConfig? config = null) => Ports.Add(port, config ?? PortConfig.Default);

    /// <summary>Detaches a port and forgets the addresses learned on it; the caller disposes the port.</summary>
    public void RemovePort(ushort id)
    {
        MacTable.Flush(id);
        Ports.Remove(id);
    }

    /// <summary>Runs <paramref name="work"/> on the loop's thread between two rounds and returns its result.</summary>
    /// <remarks>This is how the control plane reads counters, edits the MAC table or adds a port
    /// without a lock on the hot path: the loop checks for work once per round. The task
    /// completes when the loop has run it; if the loop is not running, call <see cref="RunOnce"/>.</remarks>
    public Task<T> Invoke<T>(Func<ForwardingLoop, T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands.Enqueue(() =>
        {
            try
            {
                done.SetResult(work(this));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        _options.Waiter?.Wake();
        return done.Task;
    }

    /// <summary>Polls every port once, forwarding what arrived. Returns the number of frames received.</summary>
    public int RunOnce()
    {
        while (!_commands.IsEmpty && _commands.TryDequeue(out Action? command))
        {
            command();
            _commandsRan = true;
        }
        long now = _clock.NowNanoseconds;
        int received = 0;
        for (int id = 0; id < Ports.Span; id++)
        {
            AttachedPort? port = Ports[id];
            if (port is null) continue;
            Span<FrameDescriptor> burst = _burst.AsSpan(0, Burst.MaxSize);
            int n = port.Port.Receive(burst);
            if (n == 0) continue;
            received += n;
            if (port.Capture is { } capture) capture.Received(_pool, burst[..n]);
            long bytes = 0;
            for (int i = 0; i < n; i++)
            {
                ref FrameDescriptor d = ref burst[i];
                d.InPort = (ushort)id;
                d.Next = Next.Continue;
                d.DropReason = DropReason.None;
                bytes += d.Length;
            }
            port.Counters.RxPackets += n;
            port.Counters.RxBytes += bytes;
            if (Live is { } live && live.Port == id) ProcessTracedBurst(live, n, now);
            else ProcessBurst(n, now);
        }
        MacTable.Sweep(now, _options.SweepSlotsPerRound);
        return received;
    }

    /// <summary>Runs until <paramref name="stop"/> is cancelled, waiting per the idle policy when nothing arrives.</summary>
    /// <remarks>Publishes the counters (<see cref="Published"/>) every <see cref="CounterPublisher.Interval"/>
    /// while busy and on the first idle round after work, before it may sleep.</remarks>
    public void Run(CancellationToken stop)
    {
        long idleSince = 0;
        long interval = (long)(CounterPublisher.Interval.TotalSeconds * Stopwatch.Frequency);
        long published = Stopwatch.GetTimestamp();
        bool unpublished = true;
        while (!stop.IsCancellationRequested)
        {
            bool busy = RunOnce() > 0;
            long now = Stopwatch.GetTimestamp();
            // Work from the control plane (a port added, the MAC table flushed) is published too.
            unpublished |= busy || _commandsRan;
            _commandsRan = false;
            if ((unpublished && !busy) || now - published >= interval)
            {
                Published.Publish(this);
                published = now;
                unpublished = false;
            }
            if (busy)
            {
                idleSince = 0;
            }
            else
            {
                if (idleSince == 0) idleSince = now;
                _options.Idle.Wait(Stopwatch.GetElapsedTime(idleSince, now), this, _options.Waiter);
            }
        }
        Published.Publish(this);
    }

    /// <summary>Publishes the counters now, on the calling thread: before <see cref="Run"/> starts, so a reader never finds them missing.</summary>
    public void PublishCounters() => Published.Publish(this);

    /// <summary>Every counter as a (path, value) pair, taken now on the calling thread.</summary>
    /// <remarks>For a loop that is not running (a capture replay, tests); while <see cref="Run"/> runs,
    /// read <see cref="Published"/> instead.</remarks>
    public List<KeyValuePair<string, long>> CounterSnapshot() => CounterPublisher.Take(this);

    // A live trace: each traced frame is traced on a copy just before the burst runs, and what the
    // burst then did with it is read from its descriptor afterwards.
    private void ProcessTracedBurst(LiveTrace live, int count, long now)
    {
        int traced = Math.Min(count, live.Remaining);
        Span<FrameTrace> traces = new FrameTrace[traced];
        for (int i = 0; i < traced; i++)
        {
            FrameDescriptor d = _burst[i];
            traces[i] = _tracer.Trace(d.InPort, _pool.Frame(d), now, d.Flags);
            traces[i].Frame = _pool.Frame(d).ToArray();
        }
        ProcessBurst(count, now);
        for (int i = 0; i < traced; i++)
        {
            FrameDescriptor d = _burst[i];
            traces[i].Actual = d.Next switch
            {
                Next.Drop => "dropped: " + DropReasons.Name(d.DropReason),
                _ when d.InPort == PortIds.Responder => "answered",
                Next.Forward => "forwarded to " + (Ports[d.OutPort]?.Port.Name ?? "#" + d.OutPort),
                _ => "flooded",
            };
            live.Traces.Enqueue(traces[i]);
        }
        live.Traced(traced);
        if (live.Done) Live = null;
    }

    private void ProcessBurst(int count, long now)
    {
        Span<FrameDescriptor> frames = _burst.AsSpan(0, count);
        _ingress.Process(frames);
        _l2.Learn(frames, now);
        _peephole.Process(frames, now);
        _l2.Lookup(frames, now);
        _egress.Process(frames);
        _egress.Flush();
    }
}
