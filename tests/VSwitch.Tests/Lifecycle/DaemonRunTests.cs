using Microsoft.Extensions.Logging.Abstractions;
using VSwitch.Daemon.Config;

namespace VSwitch.Tests.Lifecycle;

/// <summary>vswitchd's two ways to run, as <c>Vswitchd.RunAsync</c> drives them.</summary>
public sealed class DaemonRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-run").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SwitchConfig Parse(params string[] args) =>
        CommandLine.Parse(args).Config ?? throw new InvalidOperationException(string.Join('\n', CommandLine.Parse(args).Errors));

    [Fact]
    public async Task OnlyPcapFilePorts_ReplaysToTheEndAndExitsZero()
    {
        string scenario = Path.Combine(Config.ConfigFileReaderTests.RepoRoot(), "captures", "l2", "flood-then-learn");
        SwitchConfig config = Parse(
            "--port", $"pcap-file:{scenario}/in.p1.pcap,{_dir}/p1.pcap",
            "--port", $"pcap-file:{scenario}/in.p2.pcap,{_dir}/p2.pcap",
            "--port", $"pcap-file:,{_dir}/p3.pcap");
        var output = new StringWriter();
        int code = await VSwitch.Daemon.Hosting.Vswitchd.RunAsync(config, NullLoggerFactory.Instance, output);
        Assert.Equal(0, code);
        Assert.StartsWith("replayed ", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("port/in.p1/rx-packets", output.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "p3.pcap")));
    }

    [Fact]
    public async Task NoPortOpens_ExitsOne()
    {
        SwitchConfig config = Parse("--port", "afpacket:vsnoexist0", "--hosts", "none", "--ethers", "none", "--control", "none", "--port-state", "none");
        Assert.Equal(1, await VSwitch.Daemon.Hosting.Vswitchd.RunAsync(config, NullLoggerFactory.Instance, TextWriter.Null));
    }

    [Fact]
    public async Task LiveSwitch_OnePortFails_RunsWithTheOthersAndStopsCleanly()
    {
        string socket = Path.Combine(_dir, "run", "ctl.sock");
        SwitchConfig config = Parse("--port", "afpacket:vsnoexist0", "--port", $"pcap-file:,{_dir}/out.pcap",
            "--hosts", "none", "--ethers", "none", "--control", socket, "--idle", "sleep", "--port-state", "none");
        using var stop = new CancellationTokenSource();
        Task<int> run = VSwitch.Daemon.Hosting.Vswitchd.RunAsync(config, NullLoggerFactory.Instance, TextWriter.Null, cancel: stop.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!File.Exists(socket) && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(File.Exists(socket), "the control socket was created");
        await using (var client = await VSwitch.Daemon.Control.ControlClient.ConnectAsync(socket))
        {
            Assert.True((await client.CallAsync("ports")).Ok);
        }
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(socket), "the control socket was removed");
    }

    [Fact]
    public async Task DefaultTablePaths_MissingFilesGetTheSample()
    {
        // The sample is written by the same code for the real default paths; here it is checked
        // through TableStore directly so that the test needs no /var/lib.
        string hosts = Path.Combine(_dir, "lib", "hosts");
        Assert.True(VSwitch.Daemon.Storage.TableStore.CreateSampleIfMissing(hosts, hosts: true));
        Assert.False(VSwitch.Daemon.Storage.TableStore.CreateSampleIfMissing(hosts, hosts: true));
        Assert.StartsWith("# vswitchd hosts table", await File.ReadAllTextAsync(hosts), StringComparison.Ordinal);
        Assert.True(Datapath.Tables.HostsFileReader.Load(hosts).Ok);
    }

    [Fact]
    public async Task BadTableLines_RefuseByDefault_ExitsTwoPrintingEveryLine_OpensNoPort()
    {
        string hosts = Path.Combine(_dir, "hosts");
        await File.WriteAllTextAsync(hosts, "198.18.0.10 web\n198.18.0.300 a\n\n198.18.0.11 db\n::g b\n");
        string sink = Path.Combine(_dir, "out.pcap");
        SwitchConfig config = Parse("--port", "afpacket:vsnoexist0", "--port", $"pcap-file:,{sink}",
            "--hosts", hosts, "--ethers", "none", "--control", Path.Combine(_dir, "ctl.sock"), "--port-state", "none");
        var errors = new StringWriter();
        int code = await VSwitch.Daemon.Hosting.Vswitchd.RunAsync(config, NullLoggerFactory.Instance, TextWriter.Null, errors);
        Assert.Equal(2, code);
        Assert.Equal([$"vswitchd: {hosts}:2", $"vswitchd: {hosts}:5"],
            errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf(": ", 10, StringComparison.Ordinal)]));
        Assert.False(File.Exists(sink), "no port was opened");
        Assert.False(File.Exists(Path.Combine(_dir, "ctl.sock")), "no control socket was created");
    }

    [Fact]
    public async Task BadTableLines_Skip_ServesTheGoodLines_CountsTheBad()
    {
        string hosts = Path.Combine(_dir, "hosts");
        await File.WriteAllTextAsync(hosts, "198.18.0.10 web\n198.18.0.300 a\n198.18.0.11 db\n");
        SwitchConfig config = Parse("--port", $"pcap-file:,{_dir}/out.pcap", "--port", "afpacket:vsnoexist0",
            "--hosts", hosts, "--ethers", "none", "--control", "none", "--table-errors", "skip", "--port-state", "none").ResolveDefaults();
        await using VSwitch.Daemon.Daemon daemon = await VSwitch.Daemon.Daemon.StartAsync(config, NullLoggerFactory.Instance,
            VSwitch.Daemon.Control.Commands.CommandDispatcher.For);
        Dictionary<string, long> counters = (await daemon.CountersAsync()).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(1, counters["tables/default/hosts/bad-lines"]);
        Assert.Equal(2, counters["tables/default/hosts/lines"]);
        Assert.Equal(1, counters["tables/default/hosts/loaded"]);
        Assert.NotNull(daemon.Tables.Current);
    }

    [Fact]
    public async Task LiveSwitch_PcapFileSink_StampsTheWallClock()
    {
        string sink = Path.Combine(_dir, "sink.pcap");
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using (VSwitch.Tests.Control.TestDaemon d = await VSwitch.Tests.Control.TestDaemon.StartAsync(
            configure: (_, c) => c with { Ports = [VSwitch.Daemon.Ports.PortSpec.TryParse($"pcap-file:,{sink}", out var spec, out _) ? spec! : throw new InvalidOperationException()] }))
        {
            byte[] broadcast = new byte[60];
            broadcast.AsSpan(0, 6).Fill(0xFF);
            broadcast[6] = 0x02;
            broadcast[11] = 0x01;
            broadcast[12] = 0x88;
            broadcast[13] = 0xB5;
            await d.SendAsync(0, broadcast);
            for (int i = 0; i < 100 && (await d.SentAsync(1)).Count == 0; i++) await Task.Delay(10, TestContext.Current.CancellationToken);
        }
        using var reader = new SharpPcap.LibPcap.CaptureFileReaderDevice(sink);
        reader.Open(new SharpPcap.DeviceConfiguration());
        Assert.Equal(SharpPcap.GetPacketStatus.PacketRead, reader.GetNextPacket(out SharpPcap.PacketCapture frame));
        // Not the loop's monotonic clock (time since boot, which reads as 1970): the time it left.
        Assert.InRange((long)frame.Header.Timeval.Seconds, before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }
}
