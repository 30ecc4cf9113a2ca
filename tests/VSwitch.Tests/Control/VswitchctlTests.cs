using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using VSwitch.Ctl;
using VSwitch.Daemon.Control.Commands;

namespace VSwitch.Tests.Control;

/// <summary>vswitchctl's command line, run in-process against a daemon (or none).</summary>
public class VswitchctlTests
{
    [Fact]
    public async Task NoDaemon_ExitsNonZeroWithAClearMessage()
    {
        string path = Path.Combine(Path.GetTempPath(), "vsd-none-" + Guid.NewGuid().ToString("N")[..8], "vswitchd.sock");
        var (code, stdout, stderr) = await RunAsync("--control", path, "ports");
        Assert.Equal(CommandLine.ExitFailed, code);
        Assert.Equal("", stdout);
        Assert.Equal($"vswitchctl: cannot connect to {path}: no such file (is vswitchd running?)\n", stderr);
    }

    [Fact]
    public async Task StaleSocket_ExitsNonZeroSayingNobodyListens()
    {
        string dir = Directory.CreateTempSubdirectory("vsd").FullName;
        string path = Path.Combine(dir, "stale.sock");
        using (var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET removes the socket file it bound when the socket closes; a renamed one is left
            // behind, as a daemon that was killed leaves its socket.
            s.Bind(new UnixDomainSocketEndPoint(path + ".tmp"));
            File.Move(path + ".tmp", path);
        }
        var (code, _, stderr) = await RunAsync("--control", path, "ports");
        Assert.Equal(CommandLine.ExitFailed, code);
        Assert.Contains("connection refused (vswitchd is not running", stderr, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Ports_PrintsATable()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        var (code, stdout, _) = await RunAsync("--control", d.Socket, "ports");
        Assert.Equal(0, code);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith("port  id  state  vlans", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("p1     0  up     access:1", lines[1], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task StatsJson_PrintsOneJsonDocumentOfCounterPaths()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        var (code, stdout, _) = await RunAsync("--control", d.Socket, "--json", "stats");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(0, doc.RootElement.GetProperty("counters").GetProperty("port/p1/rx-packets").GetInt64());
    }

    [Fact]
    public async Task HostsAddThenList_WordsBecomeArguments()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        var (code, stdout, stderr) = await RunAsync("--control", d.Socket, "hosts", "add", "198.18.0.10", "web.lab", "web");
        Assert.True(code == 0, stderr);
        Assert.Contains("+ 198.18.0.10\tweb.lab web", stdout, StringComparison.Ordinal);
        (code, stdout, _) = await RunAsync("hosts", "list", "--control", d.Socket);
        Assert.Equal(0, code);
        Assert.Contains("198.18.0.10  web.lab web", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedCommand_ExitsOneWithTheReason()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        var (code, _, stderr) = await RunAsync("--control", d.Socket, "hosts", "add", "198.18.0.256", "x");
        Assert.Equal(CommandLine.ExitFailed, code);
        Assert.Contains("'198.18.0.256' is not an IPv4 or IPv6 address", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "fdb" }, "unknown command 'fdb'")]
    [InlineData(new[] { "port", "add" }, "usage: port add SPEC")]
    [InlineData(new[] { "ports", "extra" }, "too many arguments")]
    [InlineData(new[] { "--bogus", "ports" }, "unknown option '--bogus'")]
    [InlineData(new string[0], "no command given")]
    public async Task BadUsage_ExitsTwo(string[] args, string message)
    {
        var (code, _, stderr) = await RunAsync(args);
        Assert.Equal(CommandLine.ExitUsage, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TryBuildRequest_LastArgumentTakesTheRest()
    {
        Assert.True(CommandLine.TryBuildRequest(["hosts", "add", "198.18.0.1", "a", "b"], out ControlCommand? command, out JsonObject? args, out _));
        Assert.Equal("hosts/add", command!.Name);
        Assert.Equal("{\"address\":\"198.18.0.1\",\"names\":[\"a\",\"b\"]}", args!.ToJsonString());
        Assert.True(CommandLine.TryBuildRequest(["fdb", "show"], out command, out args, out _));
        Assert.Equal(("fdb/show", null), (command!.Name, args));
    }

    [Fact]
    public async Task Version_PrintsTheReleaseAndExitsZero()
    {
        var (code, stdout, _) = await RunAsync("--version");
        Assert.Equal(CommandLine.ExitOk, code);
        Assert.Matches(@"^vswitchctl \d+\.\d+\.\d+", stdout);
    }

    [Fact]
    public async Task Json_ErrorsAreOneJsonObjectOnStdout()
    {
        string path = Path.Combine(Path.GetTempPath(), "vsd-none-" + Guid.NewGuid().ToString("N")[..8], "vswitchd.sock");
        var (code, stdout, stderr) = await RunAsync("--control", path, "--json", "ports");
        Assert.Equal(CommandLine.ExitFailed, code);
        Assert.Equal("", stderr);
        using (JsonDocument error = JsonDocument.Parse(stdout))
        {
            Assert.False(error.RootElement.GetProperty("ok").GetBoolean());
            Assert.StartsWith($"cannot connect to {path}", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        (code, stdout, _) = await RunAsync("no-such-command", "--json");
        Assert.Equal(CommandLine.ExitUsage, code);
        using (JsonDocument usage = JsonDocument.Parse(stdout))
            Assert.Equal("unknown command 'no-such-command'", usage.RootElement.GetProperty("error").GetString());

        await using TestDaemon d = await TestDaemon.StartAsync();
        (code, stdout, _) = await RunAsync("--control", d.Socket, "--json", "hosts", "add", "198.18.0.256", "x");
        Assert.Equal(CommandLine.ExitFailed, code);
        using (JsonDocument refused = JsonDocument.Parse(stdout))
            Assert.Contains("198.18.0.256", refused.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatsPrefixMatchingNothing_ExitsNonZeroNamingThePaths()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        var (code, stdout, stderr) = await RunAsync("--control", d.Socket, "stats", "prot/");
        Assert.Equal(CommandLine.ExitFailed, code);
        Assert.Equal("", stdout);
        Assert.Contains("no counter path starts with 'prot/'; the paths start with port/", stderr, StringComparison.Ordinal);
        (code, stdout, _) = await RunAsync("--control", d.Socket, "stats", "port/");
        Assert.Equal(CommandLine.ExitOk, code);
        Assert.Contains("port/", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prots", "ports")]
    [InlineData("fdb shwo", "fdb show")]
    [InlineData("hots list", "hosts list")]
    [InlineData("log levl", "log level")]
    [InlineData("bogus", null)]
    public async Task UnknownCommand_ATypoGetsTheClosestCommand(string words, string? meant)
    {
        var (code, _, stderr) = await RunAsync(words.Split(' '));
        Assert.Equal(CommandLine.ExitUsage, code);
        string first = stderr.Split('\n')[0];
        Assert.Equal($"vswitchctl: unknown command '{words}'" + (meant is null ? "" : $" (did you mean '{meant}'?)"), first);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = await CommandLine.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
