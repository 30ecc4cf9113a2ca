using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Control.Commands;
using VSwitch.Daemon.Ports;
using VSwitch.Daemon.Storage;
using VSwitch.Daemon.Tenancy;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;

namespace VSwitch.Daemon.Hosting;

// vswitchd's two ways to run. A switch with only pcap-file ports is a replay: the captures are
// fed through the loop in capture-time order with a manual clock, to the end, the non-zero
// counters are printed and the program exits (the capture tests and the README's quick start).
// Anything else is a live switch that runs until SIGTERM or SIGINT and reloads its tables on
// SIGHUP. This is the top of the daemon: it puts the Daemon facade and the control commands
// together, so neither needs the other's construction.
public static class Vswitchd
{
    /// <summary>Exit codes: 0 stopped cleanly or replay done, 1 could not run, 2 bad configuration (vswitchd's own).</summary>
    public const int ExitOk = 0, ExitFailed = 1, ExitUsage = 2;

    /// <summary>Runs vswitchd: a replay when every port is <c>pcap-file:</c>, otherwise a live switch until a stop signal.</summary>
    /// <param name="config">The configuration as read; unset settings take their defaults here.</param>
    /// <param name="logs">Where to log.</param>
    /// <param name="output">Where a replay prints its counters.</param>
    /// <param name="cancel">Stops the switch like SIGTERM.</param>
    /// <param name="errors">Where the bad lines of tables refused at start-up are printed (stderr by default).</param>
    /// <returns>The process exit code.</returns>
    /// <param name="levels">The log level filter <paramref name="logs"/> applies, for <c>vswitchctl log level</c>; null: fixed.</param>
    /// <param name="notifier">Tells systemd the daemon's state; by default the one its environment names (none outside systemd).</param>
    public static async Task<int> RunAsync(SwitchConfig config, ILoggerFactory logs, TextWriter output, TextWriter? errors = null,
        Logging.LogLevelSwitch? levels = null, SystemdNotifier? notifier = null, CancellationToken cancel = default)
    {
        notifier ??= SystemdNotifier.FromEnvironment();
        config = config.ResolveDefaults();
        if (config.IsReplay) return await ReplayAsync(config, logs, output).ConfigureAwait(false);

        ILogger log = logs.CreateLogger("vswitchd");
        Daemon daemon;
        try
        {
            daemon = await Daemon.StartAsync(config, logs, CommandDispatcher.For, cancel: cancel).ConfigureAwait(false);
            daemon.LogLevels = levels;
            daemon.Notifier = notifier;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DaemonLog.StartFailed(log, e.Message);
            return ExitFailed;
        }
        catch (Exception e) when (e is TablesRefusedException or PortStateException)
        {
            // Every line, as the config file's errors are printed: the operator fixes them all in one go.
            errors ??= Console.Error;
            IReadOnlyList<string> lines = e is TablesRefusedException t ? t.Errors : ((PortStateException)e).Errors;
            foreach (string line in lines) await errors.WriteLineAsync("vswitchd: " + line).ConfigureAwait(false);
            return ExitUsage;
        }
        await using (daemon.ConfigureAwait(false))
        {
            if (daemon.PortCount == 0)
            {
                DaemonLog.NoPorts(log);
                return ExitFailed;
            }
            var stop = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            using CancellationTokenRegistration onCancel = cancel.Register(() => stop.TrySetResult("cancellation"));
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                stop.TrySetResult("SIGTERM");
            });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
            {
                c.Cancel = true;
                stop.TrySetResult("SIGINT");
            });
            using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
            {
                c.Cancel = true;
                _ = daemon.ReloadAsync();
            });
            // Ports open, tables in service, control socket listening: systemd may start what depends on us.
            notifier.Ready($"forwarding on {daemon.PortCount} port(s)");
            using var watchdogStop = new CancellationTokenSource();
            Task watchdog = SystemdWatchdog.RunAsync(notifier, t => daemon.InvokeAsync(_ => 0, t), watchdogStop.Token);
            Task first = await Task.WhenAny(stop.Task, daemon.LoopEnded).ConfigureAwait(false);
            notifier.Stopping();
            await watchdogStop.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
            if (first != stop.Task) return ExitFailed;
            DaemonLog.Stopping(log, await stop.Task.ConfigureAwait(false));
        }
        return ExitOk;
    }

    /// <summary>Replays the pcap-file ports to the end with a manual clock and prints the non-zero counters.</summary>
    public static async Task<int> ReplayAsync(SwitchConfig config, ILoggerFactory logs, TextWriter output)
    {
        ILogger log = logs.CreateLogger("vswitchd");
        using var pool = new FramePool(config.FramePoolSlots);
        var clock = new ManualClock();
        var loop = new ForwardingLoop(pool, clock, new SwitchOptions
        {
            MacTableSize = config.MacTableSize,
            MacAging = config.MacAging,
            PeepholeRateLimit = config.PeepholeRateLimit,
        });
        // A replay answers from the default tenant only when it names a table file, so that a
        // capture replayed without tables is switched and never answered; sections always count.
        using var tenants = new TenantSet(config);
        bool defaultTables = config.HostsPath is not null || config.EthersPath is not null;
        bool Served(DaemonTenant t) => t != tenants.Default || defaultTables;
        foreach (DaemonTenant t in tenants.All.Where(Served))
        {
            TableResult<TableLoad> loaded = await t.Store.ReloadAsync().ConfigureAwait(false);
            foreach (string line in loaded.Details) DaemonLog.TableError(log, line);
            if (!loaded.Ok)
            {
                DaemonLog.TablesRefused(log, t.Name, loaded.Error!);
                return ExitUsage;
            }
        }
        var ports = new List<IPort>();
        try
        {
            for (int i = 0; i < config.Ports.Count; i++)
            {
                PortSpec spec = config.Ports[i];
                // Two captures with the same file name still make two ports.
                string name = config.Ports.Count(o => o.Name == spec.Name) > 1 ? $"{spec.Name}#{i}" : spec.Name;
                try
                {
                    IPort port = PortFactory.Open(spec with { Name = name }, pool, clock);
                    ports.Add(port);
                    DaemonLog.PortOpened(log, name, spec.Text, loop.AddPort(port, spec.Config).Id);
                }
                catch (PortOpenException e)
                {
                    DaemonLog.PortOpenFailed(log, spec.Text, e.Message);
                }
            }
            if (ports.Count == 0)
            {
                DaemonLog.NoPorts(log);
                return ExitFailed;
            }
            loop.Peephole.Binding = tenants.Bind(loop.Ports, Served);
            long frames = CaptureReplay.Run(loop, clock);
            DaemonLog.Replayed(log, frames, ports.Count);
            await output.WriteLineAsync($"replayed {frames} frames").ConfigureAwait(false);
            foreach (var (path, value) in loop.CounterSnapshot())
            {
                if (value != 0) await output.WriteLineAsync($"{path,-40} {value,12}").ConfigureAwait(false);
            }
            return ExitOk;
        }
        finally
        {
            foreach (IPort p in ports) p.Dispose();
        }
    }
}
