using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VSwitch.Daemon.Ports;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Storage;
using VSwitch.Daemon.Tenancy;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Daemon.Ports.Linux;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;

namespace VSwitch.Daemon;

// vswitchd, as a library: the forwarding loop on its own thread, the ports and their
// supervision, the tables and their storage, and the control socket.
//
// Threads. The loop thread runs ForwardingLoop.Run and nothing else; it is the only thread that
// touches ports, the frame pool, the MAC table and the datapath counters. Everything else
// (control clients, supervision, signals) runs on the thread pool and reaches loop state only
// through LoopAccess (ForwardingLoop.Invoke, between two rounds).
//
// Tenants. Each tenant (the default one, then one per [tenant NAME] section) has its own
// TableStore and datapath Tenant (Tenancy/TenantSet.cs). A table load or edit publishes the new
// snapshot by setting that tenant's Tenant.Tables, which the loop reads per frame; the binding
// (VLANs and ports -> tenant), which the loop reads once per burst, is built at start and rebuilt
// only when a port is attached or detached, on the loop's thread in the same pause.
//
// Start-up order: the instance lock; pool and loop; tables (with errors and table-errors =
// refuse, the start stops here); port claims, then ports (one that cannot be opened is logged
// and kept down for supervision to open); the loop thread; the control socket; supervision. Stop is the reverse: socket (no new commands), supervision,
// loop thread (joined), then ports and pool, which nothing else can reach any more.
//
// If the loop thread throws, the daemon logs it as critical and RunAsync exits non-zero: a
// broken datapath is never left running.

/// <summary>A running switch: loop thread, ports, tables and control socket.</summary>
public sealed partial class Daemon : IAsyncDisposable
{
    private static readonly TimeSpan LoopTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _log;
    private readonly FramePool _pool;
    private readonly PollWaiter _waiter;
    private readonly LoopAccess _access;
    private readonly PortManager _ports;
    private readonly List<Dns.DnsService> _dnsServices = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _loopEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private Thread? _thread;
    private ControlServer? _control;
    private Claims.LockFile? _instance;
    private Metrics.PrometheusEndpoint? _metrics;
    private Metrics.SwitchMeter? _meter;
    private readonly Claims.PortClaims _claims;
    private Task _supervisor = Task.CompletedTask;
    private Task _declineWatch = Task.CompletedTask;
    private int _disposed;

    private Daemon(SwitchConfig config, ILoggerFactory logs, IClock clock)
    {
        Config = config;
        _log = logs.CreateLogger("vswitchd");
        _pool = new FramePool(config.FramePoolSlots);
        // Idle, the loop sleeps in poll on the ports' descriptors: it wakes on the first frame, so
        // the adaptive policy may sleep long (100 ms) without delaying anything.
        _waiter = new PollWaiter();
        Loop = new ForwardingLoop(_pool, clock, new SwitchOptions
        {
            MacTableSize = config.MacTableSize,
            MacAging = config.MacAging,
            PeepholeRateLimit = config.PeepholeRateLimit,
            Idle = config.Idle == IdlePolicy.Default ? config.Idle with { SleepMicroseconds = 100_000 } : config.Idle,
            Waiter = _waiter,
        });
        _access = new LoopAccess(Loop, LoopTimeout);
        Tenants = new TenantSet(config);
        // No port is attached yet, so this binds VLANs only; each attach and detach rebinds.
        Loop.Peephole.Binding = Tenants.Bind(Loop.Ports);
        _claims = new Claims.PortClaims(Claims.PortClaims.DefaultDirectory);
        _ports = new PortManager(_access, _pool, clock, _log, l => l.Peephole.Binding = Tenants.Bind(l.Ports), _claims, config.PortStatePath);
    }

    /// <summary>The configuration the daemon runs with.</summary>
    public SwitchConfig Config { get; }

    /// <summary>The forwarding loop. Touch its state only through <see cref="InvokeAsync{T}"/> while the daemon runs.</summary>
    public ForwardingLoop Loop { get; }

    /// <summary>The tenants: the default one first, then those of the config file's sections.</summary>
    public TenantSet Tenants { get; }

    /// <summary>The default tenant's hosts and ethers tables.</summary>
    public TableStore Tables => Tenants.Default.Store;

    /// <summary>Tells systemd about reloads (RELOADING=1, then READY=1); null outside vswitchd's own run.</summary>
    public Hosting.SystemdNotifier? Notifier { get; set; }

    /// <summary>The log level filter <c>vswitchctl log level</c> changes; null when the level is fixed.</summary>
    public Logging.LogLevelSwitch? LogLevels { get; set; }

    internal void LogLevelChanged(string before, string now) => DaemonLog.LogLevelChanged(_log, before, now);

    /// <summary>The control socket's path, or null when there is none.</summary>
    public string? ControlPath => _control?.Path;

    /// <summary>Completes when the loop thread ends: normally at stop, faulted if the loop failed.</summary>
    public Task LoopEnded => _loopEnded.Task;

    /// <summary>Ports attached right now.</summary>
    public int PortCount => _ports.AttachedCount;

    /// <summary>Starts a switch: tables, ports, loop thread, control socket and supervision.</summary>
    /// <param name="config">The configuration, defaults already resolved (<see cref="SwitchConfig.ResolveDefaults"/>).</param>
    /// <param name="logs">Where the daemon logs.</param>
    /// <param name="control">Makes the handler of the control socket's requests for this daemon
    /// (<c>CommandDispatcher.For</c>); used when the configuration names a control socket.</param>
    /// <param name="givenPorts">Makes ports in the daemon's frame pool that are attached as they are, after
    /// those of <see cref="SwitchConfig.Ports"/> (tests: <see cref="MemoryPort"/>s); they are supervised but,
    /// having no spec, never re-opened.</param>
    /// <param name="clock">The loop's clock; the machine's monotonic clock by default.</param>
    /// <exception cref="IOException">The control socket cannot be created (another vswitchd listens on it, say).</exception>
    public static async Task<Daemon> StartAsync(SwitchConfig config, ILoggerFactory logs, Func<Daemon, ControlHandler> control,
        Func<FramePool, IEnumerable<(IPort Port, PortConfig Config)>>? givenPorts = null, IClock? clock = null,
        CancellationToken cancel = default)
    {
        var daemon = new Daemon(config, logs, clock ?? MonotonicClock.Instance);
        try
        {
            await daemon.StartCoreAsync(control, givenPorts?.Invoke(daemon._pool) ?? [], cancel).ConfigureAwait(false);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartCoreAsync(Func<Daemon, ControlHandler> control, IEnumerable<(IPort Port, PortConfig Config)> givenPorts, CancellationToken cancel)
    {
        DaemonLog.Starting(_log, Config.Ports.Count, Config.HostsPath ?? "none", Config.EthersPath ?? "none",
            Config.ControlPath ?? "none", Config.IdleName);
        // Before anything is opened: a second daemon for the same switch stops here, touching nothing.
        if (Config.ControlPath is string controlPath) _instance = Claims.InstanceLock.Acquire(controlPath);
        CreateSamples();
        // Refused at start, every bad line goes to the caller (vswitchd prints them all), not to the log.
        bool refuse = Config.TableErrors == TableErrorPolicy.Refuse;
        TableResult<IReadOnlyList<TableLoad>> tables = await ReloadAsync(null, logErrors: !refuse, cancel).ConfigureAwait(false);
        if (!tables.Ok && refuse)
        {
            string refused = string.Join(", ", Tenants.All.Where(t => t.Store.Current is null).Select(t => t.Name));
            DaemonLog.TablesRefusedAtStart(_log, refused);
            throw new TablesRefusedException($"the tables of tenant(s) {refused} have errors (table-errors = refuse)", tables.Details);
        }
        await _ports.OpenAtStartAsync(Config.Ports, cancel).ConfigureAwait(false);
        foreach ((IPort port, PortConfig portConfig) in givenPorts)
        {
            if (await _ports.AttachGivenAsync(port, portConfig, cancel).ConfigureAwait(false) is string error)
                DaemonLog.PortOpenFailed(_log, port.Name, error);
        }

        // A first publication before the thread runs: counters read at once after start (a busy
        // machine may not schedule the loop for a while) are all there, at zero.
        Loop.PublishCounters();
        _thread = new Thread(RunLoop) { Name = "vswitch-loop", IsBackground = true };
        _thread.Start();
        _access.ThreadStarted();

        if (Config.ControlPath is string path)
        {
            _control = ControlServer.Start(path, control(this), new ControlServerOptions { SocketMode = Config.ControlMode }, _log);
        }
        for (int i = 0; i < Tenants.All.Count; i++)
        {
            if (await Dns.DnsService.StartAsync(Tenants.All[i], i, _ports, _pool, _log, cancel).ConfigureAwait(false) is { } service)
                _dnsServices.Add(service);
        }
        // Every counter exists by now (ports, tenants, DNS services): one instrument per family of them.
        _meter = new Metrics.SwitchMeter(CountersAsync, (await CountersAsync(cancel).ConfigureAwait(false)).Select(kv => kv.Key), this);
        if (Config.MetricsListen is System.Net.IPEndPoint listen)
        {
            _metrics = Metrics.PrometheusEndpoint.Start(listen, CountersAsync);
            DaemonLog.MetricsListening(_log, listen.ToString());
        }
        _supervisor = _ports.SuperviseAsync(Config.SuperviseInterval, _stop.Token);
        _declineWatch = WatchDeclinesAsync(Config.SuperviseInterval, _stop.Token);
        DaemonLog.Running(_log, _ports.AttachedCount);
    }

    private void RunLoop()
    {
        try
        {
            Loop.Run(_stop.Token);
            _loopEnded.TrySetResult();
        }
        catch (Exception e)
        {
            DaemonLog.LoopFailed(_log, e);
            _loopEnded.TrySetException(e);
        }
    }

    // The default table files are created with a commented sample when missing, so that a
    // switch started with no options has files to edit; a path the user gave must exist.
    private void CreateSamples()
    {
        foreach ((string? path, bool hosts) in new[] { (Config.HostsPath, true), (Config.EthersPath, false) })
        {
            if (!SwitchConfig.IsDefaultTablePath(path)) continue;
            try
            {
                if (TableStore.CreateSampleIfMissing(path!, hosts)) DaemonLog.SampleCreated(_log, path!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                DaemonLog.SampleFailed(_log, path!, e.Message);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on the loop's thread between two rounds (inline when the loop is not running).</summary>
    public Task<T> InvokeAsync<T>(Func<ForwardingLoop, T> work, CancellationToken cancel = default) => _access.RunAsync(work, cancel);

    /// <summary>Re-reads the table files of tenant <paramref name="tenant"/>, or of every tenant when null.</summary>
    /// <remarks>A tenant whose files have errors keeps the tables it has in service; its errors are
    /// logged and returned (the result is then an error, though the other tenants were reloaded).</remarks>
    /// <remarks>Under systemd the reload is bracketed by RELOADING=1 and READY=1, whatever its outcome
    /// (the tables in service answer throughout).</remarks>
    public async Task<TableResult<IReadOnlyList<TableLoad>>> ReloadAsync(string? tenant = null, CancellationToken cancel = default)
    {
        Notifier?.Reloading();
        try
        {
            return await ReloadAsync(tenant, logErrors: true, cancel).ConfigureAwait(false);
        }
        finally
        {
            Notifier?.Ready($"forwarding on {PortCount} port(s)");
        }
    }

    private async Task<TableResult<IReadOnlyList<TableLoad>>> ReloadAsync(string? tenant, bool logErrors, CancellationToken cancel)
    {
        DaemonTenant? only = null;
        if (tenant is not null && (only = Tenants.Find(tenant)) is null) return TableResult.Fail<IReadOnlyList<TableLoad>>(Tenants.Unknown(tenant));
        var loaded = new List<TableLoad>();
        var failed = new List<string>();
        var details = new List<string>();
        foreach (var (t, r) in await Tenants.ReloadAsync(only, cancel).ConfigureAwait(false))
        {
            if (r.Ok)
            {
                loaded.Add(r.Value!);
                DaemonLog.TablesLoaded(_log, t.Name, r.Value!.HostsFile ?? "no hosts", r.Value.HostsEntries, r.Value.EthersFile ?? "no ethers", r.Value.EthersEntries);
                if (r.Details.Count > 0)
                {
                    details.AddRange(r.Details);
                    DaemonLog.TableLinesSkipped(_log, t.Name, r.Details.Count);
                    LogTableErrors(r.Details);
                }
                continue;
            }
            DaemonLog.TablesRefused(_log, t.Name, r.Error!);
            if (logErrors) LogTableErrors(r.Details);
            // With the default tenant alone the message is what it always was.
            failed.Add(Tenants.All.Count == 1 ? r.Error! : $"tenant '{t.Name}': {r.Error}");
            details.AddRange(r.Details);
        }
        // Success: the details are the bad lines skipped (table-errors = skip).
        if (failed.Count == 0) return new TableResult<IReadOnlyList<TableLoad>>(loaded, null, details);
        string others = loaded.Count > 0 ? $" ({string.Join(", ", loaded.Select(l => l.Tenant))} reloaded)" : "";
        return TableResult.Fail<IReadOnlyList<TableLoad>>(string.Join("; ", failed) + others, details);
    }

    // Every bad line up to a bound: a file of a million bad lines must not become a million log
    // lines; the reload command's response still lists them all.
    private const int MaxLoggedTableErrors = 100;

    private void LogTableErrors(IReadOnlyList<string> errors)
    {
        foreach (string line in errors.Take(MaxLoggedTableErrors)) DaemonLog.TableError(_log, line);
        if (errors.Count > MaxLoggedTableErrors) DaemonLog.TableErrorsNotLogged(_log, errors.Count - MaxLoggedTableErrors);
    }

    /// <summary>The tenant <paramref name="name"/> names (the default one for null), or the error saying there is none.</summary>
    internal DaemonTenant? FindTenant(string? name, out string? error)
    {
        DaemonTenant? t = Tenants.Find(name);
        error = t is null ? Tenants.Unknown(name!) : null;
        return t;
    }

    /// <summary>Every tenant with its binding, tables and reply counters (read on the loop's thread).</summary>
    internal async Task<List<TenantInfo>> ListTenantsAsync(CancellationToken cancel)
    {
        long[][] counters = await _access.RunAsync(l => Tenants.All.Select(t => TenantInfo.Replies(t.Tenant.Counters)).ToArray(), cancel)
            .ConfigureAwait(false);
        return Tenants.All.Select((t, i) => TenantInfo.Of(t, counters[i])).ToList();
    }

    internal void LogEdit(string command, TableResult<TableEdit> r)
    {
        if (r.Ok && r.Value!.Changed) DaemonLog.TableEdited(_log, command, r.Value.File, r.Value.Added.Count, r.Value.Removed.Count);
        else if (!r.Ok) DaemonLog.TableEditRefused(_log, command, r.Error!);
    }

    /// <summary>One supervision pass now (tests; the daemon runs one every <see cref="SwitchConfig.SuperviseInterval"/>).</summary>
    internal Task SuperviseOnceAsync(CancellationToken cancel = default) => _ports.SuperviseOnceAsync(cancel);

    internal Task<(PortInfo? Port, string? Error)> AddPortAsync(string spec, CancellationToken cancel) =>
        _ports.AddAsync(spec, cancel);

    internal Task<string?> RemovePortAsync(string name, CancellationToken cancel) => _ports.RemoveAsync(name, cancel);

    internal Task<List<PortInfo>> ListPortsAsync(CancellationToken cancel) => _ports.ListAsync(cancel);

    /// <summary>Runs <paramref name="frame"/> through the pipeline as if it came in on <paramref name="port"/>, in a dry run.</summary>
    internal async Task<(Datapath.Tracing.FrameTrace? Trace, string? Error)> TraceAsync(string port, byte[] frame, CancellationToken cancel)
    {
        var (trace, error) = await _ports.OnAttachedAsync(port, (l, a) => frame.Length > l.MaxTraceLength ? null : l.Trace(a.Id, frame), cancel)
            .ConfigureAwait(false);
        return error is not null ? (null, error)
            : trace is null ? (null, $"a frame of {frame.Length} bytes is longer than a frame slot holds") : (trace, null);
    }

    /// <summary>Starts tracing the next <paramref name="count"/> frames from <paramref name="port"/> as they pass; null and why not.</summary>
    internal async Task<(Datapath.Tracing.LiveTrace? Live, Func<CancellationToken, Task>? Stop, string? Error)> StartLiveTraceAsync(
        string port, int count, CancellationToken cancel)
    {
        var (live, error) = await _ports.OnAttachedAsync(port, (l, a) =>
        {
            if (l.Live is not null) return null;
            return l.Live = new Datapath.Tracing.LiveTrace(a.Id, count);
        }, cancel).ConfigureAwait(false);
        if (error is not null) return (null, null, error);
        if (live is null) return (null, null, "a live trace is running already (one at a time)");
        Task Stop(CancellationToken c) => _access.RunAsync(l =>
        {
            if (ReferenceEquals(l.Live, live)) l.Live = null;
            return 0;
        }, c);
        return (live, Stop, null);
    }

    /// <summary>Attaches a capture to a port; the session streams it (see <see cref="Capture.CaptureSession"/>).</summary>
    internal async Task<(Capture.CaptureSession? Session, string? Error)> StartCaptureAsync(Capture.CaptureRequest request, CancellationToken cancel)
    {
        var capture = new Datapath.Capture.PortCapture(new Datapath.Capture.CaptureRing(Capture.CaptureRequest.RingBytes),
            request.Directions, request.SnapLength, interfaceIndex: 0);
        var (attached, error) = await _ports.OnAttachedAsync(request.Port, (_, a) =>
        {
            if (a.Capture is not null) return null;
            a.Capture = capture;
            return a;
        }, cancel).ConfigureAwait(false);
        if (error is not null) return (null, error);
        if (attached is null) return (null, $"port '{request.Port}' is being captured already (one capture per port at a time)");
        Task Detach(CancellationToken c) => _access.RunAsync(_ =>
        {
            if (ReferenceEquals(attached.Capture, capture)) attached.Capture = null;
            return 0;
        }, c);
        return (new Capture.CaptureSession(capture, request.Port, request.Count, request.SnapLength, Detach), null);
    }

    internal async Task<List<FdbEntry>> FdbAsync(ushort? vlan, CancellationToken cancel)
    {
        // Copy on the loop's thread, format here: the loop's pause is a copy, not string work.
        var (entries, names) = await _access.RunAsync(l =>
        {
            List<Datapath.Switching.MacTableEntry> list = l.MacTable.Snapshot(l.Clock.NowNanoseconds);
            var portNames = new Dictionary<ushort, string>();
            foreach (AttachedPort p in l.Ports.All) portNames[p.Id] = p.Port.Name;
            return (list, portNames);
        }, cancel).ConfigureAwait(false);
        return entries
            .Where(e => vlan is null || e.Vlan == vlan)
            .OrderBy(e => e.Vlan).ThenBy(e => e.Mac)
            .Select(e => new FdbEntry(e.Vlan, MacAddress.Format(e.Mac), names.GetValueOrDefault(e.Port, "#" + e.Port), Math.Round(e.Age.TotalSeconds, 3)))
            .ToList();
    }

    internal async Task<(int? Flushed, string? Error)> FlushFdbAsync(string? portName, CancellationToken cancel)
    {
        ushort? id = null;
        if (portName is not null)
        {
            id = await _ports.IdOfAsync(portName, cancel).ConfigureAwait(false);
            if (id is null) return (null, $"no attached port named '{portName}'");
        }
        int flushed = await _access.RunAsync(l =>
        {
            int before = l.MacTable.Count;
            l.MacTable.Flush(id);
            return before - l.MacTable.Count;
        }, cancel).ConfigureAwait(false);
        return (flushed, null);
    }

    /// <summary>Every counter by path: the datapath's, supervision's, the control socket's, the tables' and the process's.</summary>
    public async Task<List<KeyValuePair<string, long>>> CountersAsync(CancellationToken cancel = default)
    {
        // The loop publishes its counters itself (every few milliseconds while busy, and before it
        // sleeps): reading them never stops forwarding.
        List<KeyValuePair<string, long>> list = Loop.Published.Read();
        await _ports.AppendCountersAsync(list, cancel).ConfigureAwait(false);
        _control?.AppendCounters(list);
        foreach (Dns.DnsService service in _dnsServices) service.Counters.AppendTo($"dns-service/{service.Tenant.Name}/", list);
        list.Add(new("tables/loads", Tenants.All.Sum(t => t.Store.Loads)));
        list.Add(new("tables/loads-refused", Tenants.All.Sum(t => t.Store.LoadsRefused)));
        list.Add(new("tables/edits", Tenants.All.Sum(t => t.Store.Edits)));
        list.Add(new("tables/edits-refused", Tenants.All.Sum(t => t.Store.EditsRefused)));
        list.Add(new("tables/hosts-journal-pending", Tenants.All.Sum(t => (long)t.Store.PendingHostsEdits)));
        list.Add(new("tables/hosts-folds", Tenants.All.Sum(t => t.Store.Folds)));
        list.Add(new("tables/hosts-folds-failed", Tenants.All.Sum(t => t.Store.FoldsFailed)));
        foreach (DaemonTenant t in Tenants.All)
        {
            foreach ((string table, TableState? state) in new[] { ("hosts", t.Store.HostsState), ("ethers", t.Store.EthersState) })
            {
                if (state is null) continue;
                list.Add(new($"tables/{t.Name}/{table}/loaded", state.Loaded ? 1 : 0));
                list.Add(new($"tables/{t.Name}/{table}/lines", state.Lines));
                list.Add(new($"tables/{t.Name}/{table}/bad-lines", state.BadLines));
            }
        }
        list.Add(new("process/allocated-bytes", GC.GetTotalAllocatedBytes()));
        list.Add(new("process/gc-heap-bytes", GC.GetTotalMemory(forceFullCollection: false)));
        for (int g = 0; g <= GC.MaxGeneration; g++) list.Add(new($"process/gc/gen{g}-collections", GC.CollectionCount(g)));
        list.Add(new("process/working-set-bytes", Environment.WorkingSet));
        list.Add(new("process/threads", Process.GetCurrentProcess().Threads.Count));
        list.Add(new("process/uptime-seconds", (long)Stopwatch.GetElapsedTime(_startedAt).TotalSeconds));
        return list;
    }

    // A DHCP DECLINE means an address the ethers table hands out is in use by someone else: worth a
    // log line. The datapath only counts (it never formats text per frame); this looks at the
    // counters once per supervision interval and logs what changed, so a flood of DECLINEs costs
    // one line per interval and port.
    private async Task WatchDeclinesAsync(TimeSpan interval, CancellationToken cancel)
    {
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        int declined = (int)Datapath.Counters.DhcpOutcome.Declined;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                await Task.Delay(interval, cancel).ConfigureAwait(false);
                List<(string Port, long Count)> counts = await InvokeAsync(
                    l => l.Ports.All.Select(p => (p.Port.Name, p.Counters.Peephole.Dhcp[declined])).ToList(), cancel).ConfigureAwait(false);
                foreach (var (port, count) in counts)
                {
                    long before = seen.GetValueOrDefault(port);
                    if (count > before) DaemonLog.DhcpDeclined(_log, port, count - before);
                    seen[port] = count;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (TimeoutException)
        {
            // The loop did not answer in time (it is stopping): nothing to report.
        }
    }

    /// <summary>Stops cleanly: control socket (removed), supervision, loop thread (joined), ports, pool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_control is not null) await _control.DisposeAsync().ConfigureAwait(false);
        _metrics?.Dispose();
        _meter?.Dispose();
        foreach (Dns.DnsService service in _dnsServices) await service.DisposeAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _supervisor.ConfigureAwait(false);
        await _declineWatch.ConfigureAwait(false);
        _thread?.Join();
        _access.ThreadStopped();
        _ports.Dispose();
        Tenants.Dispose();
        _pool.Dispose();
        _waiter.Dispose();
        _stop.Dispose();
        _claims.Dispose();
        _instance?.Dispose();
        // A start that failed never ran: "stopped" would read as if it had.
        if (_thread is not null) DaemonLog.Stopped(_log);
    }
}
