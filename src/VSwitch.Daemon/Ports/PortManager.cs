using System.Globalization;
using Microsoft.Extensions.Logging;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;

namespace VSwitch.Daemon.Ports;

// The daemon's side of the ports: which ports the switch should have (by name, with the spec
// each was opened from), and keeping the loop's port table in line with that.
//
// Ports come and go at run time (vswitchctl port add/del) and devices vanish under the switch (a
// TAP device deleted, an interface unplugged). The loop itself only sees IPort.IsUp go false and
// counts frames to a down port as dropped; supervision, here, looks once per interval, logs the
// change (rate-limited: a device that stays missing is reported at its first failed re-open and
// then once a minute), counts it, and re-opens the port from its spec. The old port is detached
// and disposed before the new one is opened, because a TAP device's name stays taken while a
// descriptor for it is open; the new one is attached through the loop's work queue, so the other
// ports never stop. A port given in code (tests) has no spec and is only watched.
//
// One gate serialises add, del and supervision, so a port is never re-opened while it is
// being deleted. The gate is never held by the loop: only Invoke'd work touches loop state.

/// <summary>The switch's ports: opening, attaching, listing, removing and supervising them.</summary>
/// <param name="rebind">Run on the loop's thread right after a port is attached or detached, in the
/// same pause: it publishes the tenant binding for the new set of port numbers before any frame of
/// the new port is read.</param>
/// <param name="claims">This daemon's claims on interfaces and memif sockets; null claims nothing (tests).</param>
/// <param name="statePath">The port state file (<c>port-state</c>); null keeps nothing across restarts.</param>
internal sealed partial class PortManager(LoopAccess loop, FramePool pool, IClock clock, ILogger log, Action<ForwardingLoop> rebind,
    Claims.PortClaims? claims = null, string? statePath = null) : IDisposable
{
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    private readonly List<ManagedPort> _ports = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    private sealed class ManagedPort(string name, PortSpec? spec, PortConfig config)
    {
        public string Name { get; } = name;

        /// <summary>The daemon created the port's TAP device: it is recorded, found again after a restart, and deleted with the port.</summary>
        public bool OwnsDevice { get; set; }
        public PortSpec? Spec { get; } = spec;
        public PortConfig Config { get; } = config;
        public string SpecText => Spec?.Text ?? "(given)";

        /// <summary>The open port, or null while it is detached and waiting to be re-opened.</summary>
        public IPort? Port { get; set; }
        public ushort Id { get; set; }
        public bool Down { get; set; }
        public long WentDown { get; set; }
        public long Reopened { get; set; }
        public long ReopenFailed { get; set; }
        public long FailuresInARow { get; set; }
        public long LastFailureLog { get; set; }

        /// <summary>A memif port's link at the last supervision pass, to log what changed since.</summary>
        public Ports.Memif.MemifPortStatus? LastMemif { get; set; }
    }

    /// <summary>Ports attached right now.</summary>
    public int AttachedCount => _ports.Count(p => p.Port is not null);

    /// <summary>Opens and attaches a port from its spec text.</summary>
    /// <returns>The new port's listing, or null and why not.</returns>
    /// <remarks>A port added so is written to the port state before it is acknowledged, and opened again
    /// by the next daemon (see PortManager.State.cs).</remarks>
    public async Task<(PortInfo? Port, string? Error)> AddAsync(string specText, CancellationToken cancel)
    {
        if (!PortSpec.TryParse(specText, out PortSpec? spec, out string error)) return (null, error);
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            return await AddCoreAsync(spec!, runtime: true, cancel).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // Claims, opens and attaches one port (under the gate); a runtime add is also recorded.
    private async Task<(PortInfo? Port, string? Error)> AddCoreAsync(PortSpec spec, bool runtime, CancellationToken cancel)
    {
        if (Find(spec.Name) is not null)
            return (null, $"a port named '{spec.Name}' exists already; give this one another name with ,name=NAME");
        if (claims?.TryClaim(spec) is string claimError)
        {
            DaemonLog.PortOpenFailed(log, spec.Text, claimError);
            return (null, claimError);
        }
        var managed = new ManagedPort(spec.Name, spec, spec.Config);
        IPort port;
        try
        {
            port = OpenPort(managed);
        }
        catch (PortOpenException e)
        {
            DaemonLog.PortOpenFailed(log, spec.Text, e.Message);
            if (!runtime)
            {
                // A port the switch has (config or port state) stays listed, down, and supervision
                // opens it once it can (an interface created after the daemon, say): a restart never
                // drops a port because its device was late.
                managed.Down = true;
                managed.FailuresInARow = 1;
                managed.LastFailureLog = Environment.TickCount64;
                _ports.Add(managed);
                DaemonLog.PortKeptDown(log, spec.Name);
                return (null, e.Message);
            }
            claims?.Release(spec);
            return (null, e.Message);
        }
        if (runtime && RecordAdded(managed) is string stateError)
        {
            CloseUnattached(managed, port);
            claims?.Release(spec);
            return (null, stateError);
        }
        bool up = port.IsUp;
        string? attachError = await AttachAsync(managed, port, cancel).ConfigureAwait(false);
        if (attachError is null) return (Info(managed, null, up), null);
        // Only a wedged loop refuses an attach; the record of the add is taken back all the same.
        if (runtime) RecordDeleted(managed);
        claims?.Release(spec);
        return (null, attachError);
    }

    // Opens the port of a spec: a TAP through its record when the daemon keeps records (PersistentTap).
    private IPort OpenPort(ManagedPort m)
    {
        PortSpec spec = m.Spec!;
        if (spec.Kind != PortSpec.Tap || statePath is null) return PortFactory.Open(spec, pool, clock);
        Persistence.TapRecord? record = _state.Taps.FirstOrDefault(t => t.Port == m.Name);
        var (port, created) = Tap.PersistentTap.Open(spec.Input!, pool, record, out string? note);
        if (note is not null) DaemonLog.TapNote(log, m.Name, note);
        else if (record is not null && created) DaemonLog.TapReattached(log, m.Name, record.Device, record.NamespacePath ?? "this namespace");
        m.OwnsDevice = created;
        RecordDevice(m, port as Tap.TapPort);
        return port;
    }

    // A port that was opened but will not be attached: its device goes if the daemon just made it.
    private void CloseUnattached(ManagedPort m, IPort port)
    {
        if (m.OwnsDevice && port is Tap.TapPort tap) tap.LetDeviceGo();
        port.Dispose();
        if (m.OwnsDevice) ForgetDevice(m);
    }

    /// <summary>Attaches a port that was opened by the caller (tests, tools); it is watched but cannot be re-opened.</summary>
    public async Task<string?> AttachGivenAsync(IPort port, PortConfig config, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (Find(port.Name) is not null) return $"a port named '{port.Name}' exists already";
            return await AttachAsync(new ManagedPort(port.Name, null, config), port, cancel).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Rebuilds the binding of tenants to ports on the loop's thread (after a tenant's port names changed).</summary>
    public Task RebindAsync(CancellationToken cancel) => loop.RunAsync(l =>
    {
        rebind(l);
        return 0;
    }, cancel);

    /// <summary>Detaches and closes the port named <paramref name="name"/>; null, or why not.</summary>
    public async Task<string?> RemoveAsync(string name, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            ManagedPort? m = Find(name);
            if (m is null) return $"no port named '{name}'";
            // On disk first: a delete that is acknowledged stays deleted after a restart.
            if (RecordDeleted(m) is string stateError) return stateError;
            bool deleteDevice = m.OwnsDevice && m.Spec is { Keep: false };
            if (m.Port is null && deleteDevice) DeleteRecordedDevice(m);
            await DetachAsync(m, cancel, letDeviceGo: deleteDevice).ConfigureAwait(false);
            if (m.OwnsDevice) ForgetDevice(m);
            _ports.Remove(m);
            if (m.Spec is not null) claims?.Release(m.Spec);
            DaemonLog.PortRemoved(log, name);
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every port, attached or waiting to be re-opened, with its counters.</summary>
    public async Task<List<PortInfo>> ListAsync(CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            ManagedPort[] ports = [.. _ports];
            // A memif port's link status is read on the loop's thread too: the loop owns the port.
            (AttachedPort? Port, bool Up, Ports.Memif.MemifPortStatus? Memif)[] attached = await loop.RunAsync(
                l => ports.Select(m => (Attached(l, m), m.Port?.IsUp ?? false, (m.Port as Ports.Memif.MemifPort)?.Status())).ToArray(), cancel).ConfigureAwait(false);
            return ports.Select((m, i) => Info(m, attached[i].Port, attached[i].Up) with { Memif = attached[i].Memif }).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on the loop's thread with the port named <paramref name="name"/>, as the loop holds it.</summary>
    /// <returns>The work's result, or why there is no attached port of that name.</returns>
    public async Task<(T? Value, string? Error)> OnAttachedAsync<T>(string name, Func<ForwardingLoop, AttachedPort, T> work, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            ManagedPort? m = Find(name);
            if (m is null) return (default, $"no port named '{name}'");
            if (m.Port is null) return (default, $"port '{name}' is down (its device is waiting to be re-opened)");
            return await loop.RunAsync(l => Attached(l, m) is { } a ? (work(l, a), null) : (default(T), $"port '{name}' is not attached"), cancel)
                .ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The switch's number for the port named <paramref name="name"/>, or null.</summary>
    public async Task<ushort?> IdOfAsync(string name, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            return Find(name) is { Port: not null } m ? m.Id : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Puts an open port into the loop's table and, if it is new, into ours.
    private async Task<string?> AttachAsync(ManagedPort m, IPort port, CancellationToken cancel)
    {
        try
        {
            m.Id = await loop.RunAsync(l =>
            {
                ushort id = l.AddPort(port, m.Config).Id;
                rebind(l);
                return id;
            }, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            // XXX: after a time-out the queued AddPort may still run later; the port would then be
            // attached but not listed. Only a wedged loop times out, and that stops the daemon.
            port.Dispose();
            return e.Message;
        }
        m.Port = port;
        if (!_ports.Contains(m)) _ports.Add(m);
        DaemonLog.PortOpened(log, m.Name, m.SpecText, m.Id);
        return null;
    }

    // Takes the port out of the loop's table and closes it, on the loop's thread: the loop is
    // the only thread that touches a port, and closing may hand frames back to the pool.
    // letDeviceGo: the port's TAP device disappears with its descriptor (port del).
    private async Task DetachAsync(ManagedPort m, CancellationToken cancel, bool letDeviceGo = false)
    {
        if (m.Port is not IPort port) return;
        ushort id = m.Id;
        await loop.RunAsync(l =>
        {
            l.RemovePort(id);
            rebind(l);
            if (letDeviceGo && port is Tap.TapPort tap) tap.LetDeviceGo();
            port.Dispose();
            return 0;
        }, cancel).ConfigureAwait(false);
        m.Port = null;
    }

    /// <summary>Closes every port; call only once the loop thread has stopped.</summary>
    /// <remarks>The TAP devices the daemon created stay (they are persistent): the next daemon finds them.</remarks>
    public void Dispose()
    {
        foreach (ManagedPort m in _ports)
        {
            m.Port?.Dispose();
            m.Port = null;
        }
        _ports.Clear();
        _gate.Dispose();
    }

    private ManagedPort? Find(string name) => _ports.FirstOrDefault(p => p.Name == name);

    private static AttachedPort? Attached(ForwardingLoop l, ManagedPort m) =>
        m.Port is not null && l.Ports[m.Id] is { } a && ReferenceEquals(a.Port, m.Port) ? a : null;

    // IsUp is read by the caller on the loop's thread (or before the port was attached).
    private static PortInfo Info(ManagedPort m, AttachedPort? a, bool up) => new(
        m.Name,
        m.Port is null ? -1 : m.Id,
        m.SpecText,
        up && m.Port is not null ? "up" : "down",
        FormatVlans(m.Config.Vlans),
        m.Config.Mtu,
        a?.Counters.RxPackets ?? 0,
        a?.Counters.RxBytes ?? 0,
        a?.Counters.TxPackets ?? 0,
        a?.Counters.TxBytes ?? 0,
        a?.Counters.TotalDrops ?? 0,
        m.WentDown,
        m.Reopened);

    /// <summary><c>access:1</c>, or a trunk's VLANs with runs folded: <c>trunk:10,20-29</c>.</summary>
    internal static string FormatVlans(VlanMode mode)
    {
        if (!mode.IsTrunk) return "access:" + mode.AccessVlan.ToString(CultureInfo.InvariantCulture);
        return "trunk:" + FormatVlanList(mode.Vlans());
    }

    /// <summary>VLANs with runs folded, in ascending order: <c>10,20-29</c>.</summary>
    internal static string FormatVlanList(IEnumerable<ushort> vlans)
    {
        var parts = new List<string>();
        int start = -1, last = -1;
        foreach (ushort v in vlans.Order().Distinct())
        {
            if (v == last + 1 && start >= 0)
            {
                last = v;
                continue;
            }
            if (start >= 0) parts.Add(Range(start, last));
            start = last = v;
        }
        if (start >= 0) parts.Add(Range(start, last));
        return string.Join(',', parts);

        static string Range(int a, int b) => a == b
            ? a.ToString(CultureInfo.InvariantCulture)
            : $"{a.ToString(CultureInfo.InvariantCulture)}-{b.ToString(CultureInfo.InvariantCulture)}";
    }
}
