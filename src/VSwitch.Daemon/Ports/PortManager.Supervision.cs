using VSwitch.Daemon.Ports.Tap;
using VSwitch.Datapath.Ports;

namespace VSwitch.Daemon.Ports;

// Supervision: ports that went down are detached and re-opened from their spec, and the TAP
// devices the daemon created are followed as they move between namespaces (see PortManager.State).
internal sealed partial class PortManager
{
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
            TrackDevices();
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
            port = OpenPort(m);
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

}
