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
internal sealed class PortManager(LoopAccess loop, FramePool pool, IClock clock, ILogger log, Action<ForwardingLoop> rebind) : IDisposable
{
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    private readonly List<ManagedPort> _ports = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    private sealed class ManagedPort(string name, PortSpec? spec, PortConfig config)
    {
        public string Name { get; } = name;
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
    public async Task<(PortInfo? Port, string? Error)> AddAsync(string specText, CancellationToken cancel)
    {
        if (!PortSpec.TryParse(specText, out PortSpec? spec, out string error)) return (null, error);
        return await AddAsync(spec!, cancel).ConfigureAwait(false);
    }

    public async Task<(PortInfo? Port, string? Error)> AddAsync(PortSpec spec, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (Find(spec.Name) is not null)
                return (null, $"a port named '{spec.Name}' exists already; give this one another name with ,name=NAME");
            IPort port;
            try
            {
                port = PortFactory.Open(spec, pool, clock);
            }
            catch (PortOpenException e)
            {
                DaemonLog.PortOpenFailed(log, spec.Text, e.Message);
                return (null, e.Message);
            }
            var managed = new ManagedPort(spec.Name, spec, spec.Config);
            bool up = port.IsUp;
            string? attachError = await AttachAsync(managed, port, cancel).ConfigureAwait(false);
            return attachError is null ? (Info(managed, null, up), null) : (null, attachError);
        }
        finally
        {
            _gate.Release();
        }
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
            await DetachAsync(m, cancel).ConfigureAwait(false);
            _ports.Remove(m);
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

    /// <summary>Supervision counters as <c>supervisor/NAME/...</c> paths.</summary>
    public async Task AppendCountersAsync(List<KeyValuePair<string, long>> into, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            foreach (ManagedPort m in _ports)
            {
                string prefix = "supervisor/" + m.Name + "/";
                into.Add(new(prefix + "down", m.Down ? 1 : 0));
                into.Add(new(prefix + "went-down", m.WentDown));
                into.Add(new(prefix + "reopened", m.Reopened));
                into.Add(new(prefix + "reopen-failed", m.ReopenFailed));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs supervision every <paramref name="interval"/> until cancelled.</summary>
    public async Task SuperviseAsync(TimeSpan interval, CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancel).ConfigureAwait(false))
            {
                try
                {
                    await SuperviseOnceAsync(cancel).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The loop is busy or wedged; a wedged loop is the loop's failure to report, not ours.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One supervision pass: notes ports that went down or came back, and re-opens the detached ones.</summary>
    public async Task SuperviseOnceAsync(CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            ManagedPort[] ports = [.. _ports];
            (bool Up, Ports.Memif.MemifPortStatus? Memif)[] seen = await loop.RunAsync(
                l => ports.Select(m => (m.Port?.IsUp ?? false, (m.Port as Ports.Memif.MemifPort)?.Status())).ToArray(), cancel).ConfigureAwait(false);
            for (int i = 0; i < ports.Length; i++)
            {
                ManagedPort m = ports[i];
                if (seen[i].Memif is { } memif)
                {
                    Ports.Memif.MemifLog.Report(log, m.Name, m.LastMemif, memif);
                    m.LastMemif = memif;
                }
                if (seen[i].Up)
                {
                    if (m.Down) DaemonLog.PortUpAgain(log, m.Name);
                    m.Down = false;
                    continue;
                }
                if (!m.Down && m.Port is not null)
                {
                    m.Down = true;
                    m.WentDown++;
                    DaemonLog.PortWentDown(log, m.Name);
                }
                if (m.Spec is null) continue;
                if (m.Port is not null) await DetachAsync(m, cancel).ConfigureAwait(false);
                await TryReopenAsync(m, cancel).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task TryReopenAsync(ManagedPort m, CancellationToken cancel)
    {
        IPort port;
        try
        {
            port = PortFactory.Open(m.Spec!, pool, clock);
        }
        catch (PortOpenException e)
        {
            m.ReopenFailed++;
            m.FailuresInARow++;
            long now = Environment.TickCount64;
            if (m.FailuresInARow == 1 || now - m.LastFailureLog >= (long)FailureLogInterval.TotalMilliseconds)
            {
                m.LastFailureLog = now;
                DaemonLog.PortReopenFailed(log, m.Name, m.FailuresInARow, e.Message);
            }
            return;
        }
        if (await AttachAsync(m, port, cancel).ConfigureAwait(false) is null)
        {
            m.Down = false;
            m.Reopened++;
            m.FailuresInARow = 0;
            DaemonLog.PortReopened(log, m.Name, m.SpecText);
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
    private async Task DetachAsync(ManagedPort m, CancellationToken cancel)
    {
        if (m.Port is not IPort port) return;
        ushort id = m.Id;
        await loop.RunAsync(l =>
        {
            l.RemovePort(id);
            rebind(l);
            port.Dispose();
            return 0;
        }, cancel).ConfigureAwait(false);
        m.Port = null;
    }

    /// <summary>Closes every port; call only once the loop thread has stopped.</summary>
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
