using VSwitch.Daemon.Ports.Linux;
using VSwitch.Daemon.Ports.Persistence;
using VSwitch.Daemon.Ports.Tap;

namespace VSwitch.Daemon.Ports;

// What survives a restart (port-state): ports added and deleted at run time, and where the TAP
// devices the daemon created are. Every change is written (atomically, PortStateFile) before the
// command that made it is acknowledged; a write that fails refuses the command and changes
// nothing. At start the file and the config together say which ports the switch has:
//
//   the config's ports, but for those deleted at run time (a "del" of that exact spec: changing
//   the spec in the config, or "vswitchctl port add" of it, brings the port back),
//   then the ports added at run time (one whose name the config now uses is left out and logged).
//
// Every wanted port is claimed before any is opened, and the TAP devices the daemon created for
// ports it no longer has are deleted (a device it did not create never is).
internal sealed partial class PortManager
{
    private PortState _state = PortState.Empty;
    private HashSet<string> _configSpecs = new(StringComparer.Ordinal);

    /// <summary>Opens the ports the switch has at start: the config's and the port state's, claimed first.</summary>
    /// <exception cref="PortStateException">The port state file has a bad line.</exception>
    /// <exception cref="IOException">A port is claimed by another vswitchd: nothing was opened or deleted.</exception>
    public async Task OpenAtStartAsync(IReadOnlyList<PortSpec> config, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (statePath is not null)
            {
                var errors = new List<string>();
                _state = PortStateFile.Read(statePath, errors) ?? throw new PortStateException(errors);
            }
            _configSpecs = [.. config.Select(s => s.Text)];
            List<PortSpec> wanted = Wanted(config);
            ClaimAll(wanted);
            PortState next = _state with
            {
                // A del the config no longer matches, or an add left out, is dropped: the config said otherwise.
                Deleted = [.. _state.Deleted.Where(_configSpecs.Contains)],
                Added = [.. _state.Added.Where(text => wanted.Any(w => w.Text == text && !_configSpecs.Contains(text)))],
                Taps = [.. _state.Taps.Where(t => IsWanted(t, wanted))],
            };
            foreach (TapRecord t in _state.Taps.Where(t => !IsWanted(t, wanted))) DeleteUnwanted(t);
            if (statePath is not null && !Same(next, _state)) Save(next);
            foreach (PortSpec spec in wanted) await AddCoreAsync(spec, runtime: false, cancel).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private List<PortSpec> Wanted(IReadOnlyList<PortSpec> config)
    {
        var wanted = new List<PortSpec>();
        foreach (PortSpec spec in config)
        {
            if (_state.Deleted.Contains(spec.Text)) DaemonLog.PortStaysDeleted(log, spec.Text);
            else wanted.Add(spec);
        }
        foreach (string text in _state.Added)
        {
            if (!PortSpec.TryParse(text, out PortSpec? spec, out string error)) DaemonLog.PortOpenFailed(log, text, error);
            else if (wanted.Any(w => w.Name == spec!.Name)) DaemonLog.AddedPortShadowed(log, text, spec!.Name);
            else wanted.Add(spec!);
        }
        return wanted;
    }

    // All or nothing: one claim held by another daemon releases the others and stops the start.
    private void ClaimAll(List<PortSpec> wanted)
    {
        if (claims is null) return;
        for (int i = 0; i < wanted.Count; i++)
        {
            if (claims.TryClaim(wanted[i]) is not string error) continue;
            for (int j = 0; j < i; j++) claims.Release(wanted[j]);
            throw new IOException(error);
        }
    }

    private static bool IsWanted(TapRecord t, List<PortSpec> wanted) => wanted.Any(w => w.Name == t.Port && w.Kind == PortSpec.Tap);

    // Deletes a device created for a port the switch no longer has. One that cannot be reached
    // (gone already, its namespace deleted, a record of an earlier boot) is logged and forgotten.
    private void DeleteUnwanted(TapRecord t)
    {
        if (t.Boot != PortStateFile.BootId) return;
        if (PersistentTap.Delete(t) is string reason) DaemonLog.TapNotDeleted(log, t.Port, t.Device, reason);
        else DaemonLog.TapDeleted(log, t.Port, t.Device);
    }

    // The config file gives this port (its spec, exactly): deleting it at run time records a del.
    private bool FromConfig(ManagedPort m) => m.Spec is not null && _configSpecs.Contains(m.Spec.Text);

    // The record of a runtime add: a config port deleted earlier loses its del, any other gains an add.
    private string? RecordAdded(ManagedPort m)
    {
        if (statePath is null) return null;
        string text = m.Spec!.Text;
        PortState next = _state.Deleted.Contains(text)
            ? _state with { Deleted = [.. _state.Deleted.Where(d => d != text)] }
            : FromConfig(m) ? _state : _state with { Added = [.. _state.Added, text] };
        return TrySave(next, "the port was not added");
    }

    // The record of a runtime delete: a config port gains a del, a runtime one loses its add.
    private string? RecordDeleted(ManagedPort m)
    {
        if (statePath is null || m.Spec is null) return null;
        string text = m.Spec.Text;
        PortState next = FromConfig(m)
            ? _state with { Deleted = [.. _state.Deleted.Where(d => d != text), text] }
            : _state with { Added = [.. _state.Added.Where(a => a != text)] };
        return TrySave(next, "the port was not deleted");
    }

    // Records where the daemon's own TAP device is now (or forgets one it no longer owns).
    private void RecordDevice(ManagedPort m, TapPort? tap)
    {
        if (statePath is null) return;
        if (!m.OwnsDevice || tap is null)
        {
            ForgetDevice(m);
            return;
        }
        (ulong Namespace, string Device) where = tap.Locate() ?? (NetNamespaces.Own, tap.Name);
        TapRecord? old = _state.Taps.FirstOrDefault(t => t.Port == m.Name);
        if (old is not null && old.Boot == PortStateFile.BootId && old.Namespace == where.Namespace && old.Device == where.Device) return;
        string? path = where.Namespace == NetNamespaces.Own ? null : NetNamespaces.FindPath(where.Namespace);
        if (old is not null || where.Namespace != NetNamespaces.Own)
            DaemonLog.TapMoved(log, m.Name, where.Device, path ?? (where.Namespace == NetNamespaces.Own ? "this namespace" : "a namespace with no path (it cannot be found after a restart)"));
        var record = new TapRecord(m.Name, PortStateFile.BootId, where.Namespace, where.Device, path);
        TrySave(_state with { Taps = [.. _state.Taps.Where(t => t.Port != m.Name), record] }, "the device's place is not recorded");
    }

    private void ForgetDevice(ManagedPort m)
    {
        if (statePath is null || !_state.Taps.Any(t => t.Port == m.Name)) return;
        TrySave(_state with { Taps = [.. _state.Taps.Where(t => t.Port != m.Name)] }, "the device's record stays");
    }

    // A detached port's device (down, waiting to be re-opened) is deleted where it was recorded.
    private void DeleteRecordedDevice(ManagedPort m)
    {
        if (_state.Taps.FirstOrDefault(t => t.Port == m.Name) is { } record) DeleteUnwanted(record);
    }

    /// <summary>Follows the daemon's TAP devices as they move between namespaces (or are renamed), so a
    /// restart finds them; run by supervision, under the gate.</summary>
    private void TrackDevices()
    {
        foreach (ManagedPort m in _ports)
        {
            if (m.OwnsDevice && m.Port is TapPort tap) RecordDevice(m, tap);
        }
    }

    private static bool Same(PortState a, PortState b) =>
        a.Added.SequenceEqual(b.Added) && a.Deleted.SequenceEqual(b.Deleted) && a.Taps.SequenceEqual(b.Taps);

    private string? TrySave(PortState next, string consequence)
    {
        try
        {
            Save(next);
            return null;
        }
        catch (IOException e)
        {
            DaemonLog.PortStateNotWritten(log, statePath!, e.Message);
            return $"{statePath}: cannot write the port state, {consequence}: {e.Message}";
        }
    }

    private void Save(PortState next)
    {
        PortStateFile.Write(statePath!, next);
        _state = next;
    }
}

/// <summary>The port state file has bad lines: vswitchd does not start (it would lose track of ports and devices).</summary>
public sealed class PortStateException(IReadOnlyList<string> errors) : Exception(string.Join("; ", errors))
{
    /// <summary>Every bad line, as <c>FILE:LINE: reason</c>.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}
