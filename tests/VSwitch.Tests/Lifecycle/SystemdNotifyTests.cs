using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Hosting;

namespace VSwitch.Tests.Lifecycle;

/// <summary>sd_notify as systemd sees it, through a fake NOTIFY_SOCKET: READY=1 only once ports and
/// tables are in service, RELOADING=1 then READY=1 around a reload, STOPPING=1, and WATCHDOG=1 only while the loop runs.</summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-notify").FullName;
    private readonly Socket _notify = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly BlockingCollection<string> _messages = [];

    public SystemdNotifyTests()
    {
        _notify.Bind(new UnixDomainSocketEndPoint(NotifyPath));
        _ = Task.Run(() =>
        {
            var buffer = new byte[4096];
            try
            {
                while (true) _messages.Add(Encoding.UTF8.GetString(buffer, 0, _notify.Receive(buffer)));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
        });
    }

    public void Dispose()
    {
        _notify.Dispose();
        _messages.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string NotifyPath => Path.Combine(_dir, "notify");
    private string Socket => Path.Combine(_dir, "ctl.sock");

    private string Next(string what)
    {
        Assert.True(_messages.TryTake(out string? message, TimeSpan.FromSeconds(10)), $"no notification; waited for {what}");
        return message!;
    }

    private SwitchConfig Config(string hosts)
    {
        File.WriteAllText(Path.Combine(_dir, "hosts"), hosts);
        string[] args = ["--port", $"pcap-file:,{_dir}/out.pcap", "--port", "afpacket:vsnoexist2", "--hosts", Path.Combine(_dir, "hosts"),
            "--ethers", "none", "--control", Socket, "--port-state", "none"];
        return CommandLine.Parse(args).Config!;
    }

    [Fact]
    public async Task ReadyAfterPortsAndTables_ReloadingThenReady_Stopping()
    {
        using var stop = new CancellationTokenSource();
        Task<int> run = Vswitchd.RunAsync(Config("198.18.0.10 web\n"), NullLoggerFactory.Instance, TextWriter.Null,
            notifier: new SystemdNotifier(NotifyPath), cancel: stop.Token);

        string ready = Next("READY=1");
        Assert.StartsWith("READY=1\nSTATUS=forwarding on 1 port(s)", ready, StringComparison.Ordinal);
        // At READY the switch is whole: the control socket answers, the tables and the port are in service.
        await using (ControlClient client = await ControlClient.ConnectAsync(Socket))
        {
            ControlReply stats = await client.CallAsync("stats", new System.Text.Json.Nodes.JsonObject { ["prefix"] = "tables/default/hosts/" });
            Assert.Equal(1, stats.Result.GetProperty("counters").GetProperty("tables/default/hosts/loaded").GetInt64());
            ControlReply ports = await client.CallAsync("ports");
            Assert.Equal("out", ports.Result.GetProperty("ports")[0].GetProperty("name").GetString());

            Assert.True((await client.CallAsync("reload")).Ok);
        }
        Assert.StartsWith("RELOADING=1\nMONOTONIC_USEC=", Next("RELOADING=1"), StringComparison.Ordinal);
        Assert.StartsWith("READY=1", Next("READY=1 after the reload"), StringComparison.Ordinal);

        // A reload that fails still ends in READY=1: the tables in service answer throughout.
        await File.WriteAllTextAsync(Path.Combine(_dir, "hosts"), "198.18.0.300 bad\n");
        await using (ControlClient client = await ControlClient.ConnectAsync(Socket))
            Assert.False((await client.CallAsync("reload")).Ok);
        Assert.StartsWith("RELOADING=1", Next("RELOADING=1"), StringComparison.Ordinal);
        Assert.StartsWith("READY=1", Next("READY=1 after the failed reload"), StringComparison.Ordinal);

        await stop.CancelAsync();
        Assert.StartsWith("STOPPING=1", Next("STOPPING=1"), StringComparison.Ordinal);
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task StartRefused_NeverReady()
    {
        int code = await Vswitchd.RunAsync(Config("198.18.0.300 bad\n"), NullLoggerFactory.Instance, TextWriter.Null, TextWriter.Null,
            notifier: new SystemdNotifier(NotifyPath));
        Assert.Equal(2, code);
        Assert.False(_messages.TryTake(out string? message, TimeSpan.FromMilliseconds(300)), $"sent {message}");
    }

    [Fact]
    public async Task Watchdog_PingsWhileTheProbeAnswers_NotWhileItHangs()
    {
        var notifier = new SystemdNotifier(NotifyPath, TimeSpan.FromMilliseconds(200));
        using (var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(700)))
            await SystemdWatchdog.RunAsync(notifier, _ => Task.CompletedTask, stop.Token);
        Assert.Equal("WATCHDOG=1", Next("WATCHDOG=1"));
        Assert.True(_messages.Count >= 2, $"{_messages.Count + 1} pings in 0.7 s with a 0.2 s period");
        // Datagrams of the first run still on their way are not the second run's.
        await Task.Delay(200);
        while (_messages.TryTake(out _))
        {
        }

        var hung = new TaskCompletionSource();
        using (var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(700)))
            await SystemdWatchdog.RunAsync(notifier, _ => hung.Task, stop.Token);
        Assert.Empty(_messages);
    }

    [Fact]
    public void FromEnvironment_WithoutNotifySocket_NotifiesNobody() =>
        Assert.False(new SystemdNotifier(null, TimeSpan.FromSeconds(1)) is { Enabled: true } or { Watchdog: not null });
}
