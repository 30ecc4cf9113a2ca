namespace VSwitch.Daemon.Hosting;

/// <summary>WATCHDOG=1 only while the forwarding loop makes progress: each ping is earned by a probe
/// that runs on the loop's thread between two rounds, not by a timer alone, so a wedged loop stops
/// the pings and systemd restarts the daemon (WatchdogSec=, Restart=).</summary>
public static class SystemdWatchdog
{
    /// <summary>Every half watchdog period, runs <paramref name="probe"/> and pings when it completes within that half period.</summary>
    /// <param name="notifier">Where the pings go; nothing runs when it has no watchdog period.</param>
    /// <param name="probe">Work that completes only if the loop runs (the daemon's InvokeAsync of nothing).</param>
    /// <param name="cancel">Stops the watchdog.</param>
    public static async Task RunAsync(SystemdNotifier notifier, Func<CancellationToken, Task> probe, CancellationToken cancel)
    {
        if (notifier.Watchdog is not TimeSpan period) return;
        TimeSpan half = period / 2;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                long started = Environment.TickCount64;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                {
                    timeout.CancelAfter(half);
                    try
                    {
                        await probe(timeout.Token).WaitAsync(half, cancel).ConfigureAwait(false);
                        notifier.WatchdogAlive();
                    }
                    catch (Exception e) when (e is TimeoutException or OperationCanceledException && !cancel.IsCancellationRequested)
                    {
                        // The loop did not answer in time: no ping. systemd acts when the period runs out.
                    }
                }
                TimeSpan left = half - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
                if (left > TimeSpan.Zero) await Task.Delay(left, cancel).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
    }
}
