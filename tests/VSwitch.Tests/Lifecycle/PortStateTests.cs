using Microsoft.Extensions.Logging.Abstractions;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Control.Commands;
using VSwitch.Daemon.Ports;

namespace VSwitch.Tests.Lifecycle;

/// <summary>Ports added and deleted at run time are kept across restarts (port-state), through the daemon itself
/// (capture-file ports, so no root is needed; the TAP side is in the integration tests).</summary>
public sealed class PortStateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-portstate").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string StatePath => Path.Combine(_dir, "ports");

    private SwitchConfig Config(params string[] ports)
    {
        string[] args = [.. ports.SelectMany(p => new[] { "--port", p }), "--port", "afpacket:vsnoexist1",
            "--hosts", "none", "--ethers", "none", "--control", "none", "--port-state", StatePath];
        // Not resolved: Vswitchd.RunAsync resolves it, and a second resolution would turn "none" into the default path.
        return CommandLine.Parse(args).Config ?? throw new InvalidOperationException(string.Join('\n', CommandLine.Parse(args).Errors));
    }

    private static async Task<string[]> RunAndListAsync(SwitchConfig config, Func<VSwitch.Daemon.Daemon, Task>? act = null)
    {
        await using VSwitch.Daemon.Daemon daemon = await VSwitch.Daemon.Daemon.StartAsync(config.ResolveDefaults(), NullLoggerFactory.Instance, CommandDispatcher.For);
        if (act is not null) await act(daemon);
        List<PortInfo> ports = await daemon.ListPortsAsync(CancellationToken.None);
        return [.. ports.Select(p => p.Spec).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task AddAndDelAtRunTime_SameSetAfterARestart()
    {
        string a = $"pcap-file:,{_dir}/a.pcap", b = $"pcap-file:,{_dir}/b.pcap", added = $"pcap-file:,{_dir}/c.pcap,name=added";
        SwitchConfig config = Config(a, b);
        string[] before = await RunAndListAsync(config, async d =>
        {
            Assert.Null((await d.AddPortAsync(added, CancellationToken.None)).Error);
            Assert.Null(await d.RemovePortAsync("a", CancellationToken.None));
        });
        // afpacket:vsnoexist1 cannot be opened: it is listed all the same, down, after each start too.
        Assert.Equal(new[] { "afpacket:vsnoexist1", b, added }.Order(StringComparer.Ordinal), before);
        Assert.Equal(before, await RunAndListAsync(config));
        string state = await File.ReadAllTextAsync(StatePath);
        Assert.Contains("\nadd " + added + "\n", state, StringComparison.Ordinal);
        Assert.Contains("\ndel " + a + "\n", state, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletedConfigPort_BackWhenAddedAgainOrTheConfigChangesIt()
    {
        string a = $"pcap-file:,{_dir}/a.pcap", b = $"pcap-file:,{_dir}/b.pcap";
        await RunAndListAsync(Config(a, b), async d => Assert.Null(await d.RemovePortAsync("a", CancellationToken.None)));
        Assert.DoesNotContain(a, await RunAndListAsync(Config(a, b)));
        // port add of the same spec takes the del back: no add is recorded, the config's line is the port's.
        await RunAndListAsync(Config(a, b), async d => Assert.Null((await d.AddPortAsync(a, CancellationToken.None)).Error));
        Assert.DoesNotContain("add ", await File.ReadAllTextAsync(StatePath), StringComparison.Ordinal);
        Assert.DoesNotContain("del ", await File.ReadAllTextAsync(StatePath), StringComparison.Ordinal);
        Assert.Contains(a, await RunAndListAsync(Config(a, b)));

        await RunAndListAsync(Config(a, b), async d => Assert.Null(await d.RemovePortAsync("a", CancellationToken.None)));
        Assert.Contains(a + ",mtu=1500", await RunAndListAsync(Config(a + ",mtu=1500", b)));
        Assert.DoesNotContain("del ", await File.ReadAllTextAsync(StatePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateFileWithABadLine_DoesNotStart_ExitTwoWithFileAndLine()
    {
        await File.WriteAllTextAsync(StatePath, "add pcap-file:,x.pcap\nbogus line\n");
        var errors = new StringWriter();
        int code = await VSwitch.Daemon.Hosting.Vswitchd.RunAsync(Config($"pcap-file:,{_dir}/a.pcap"), NullLoggerFactory.Instance, TextWriter.Null, errors);
        Assert.Equal(2, code);
        Assert.StartsWith($"vswitchd: {StatePath}:2: ", errors.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "a.pcap")), "no port was opened");
    }

    [Fact]
    public async Task StateCannotBeWritten_PortAddRefused_NothingAdded()
    {
        SwitchConfig config = Config($"pcap-file:,{_dir}/a.pcap") with { PortStatePath = Path.Combine(_dir, "missing-parent-is-a-file", "ports") };
        await File.WriteAllTextAsync(Path.Combine(_dir, "missing-parent-is-a-file"), "");
        string[] ports = await RunAndListAsync(config, async d =>
        {
            (PortInfo? port, string? error) = await d.AddPortAsync($"pcap-file:,{_dir}/c.pcap,name=c", CancellationToken.None);
            Assert.Null(port);
            Assert.Contains("cannot write the port state, the port was not added", error, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(ports, p => p.Contains("c.pcap", StringComparison.Ordinal));
    }
}
