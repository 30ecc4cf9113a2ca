using System.Text.Json.Nodes;
using VSwitch.Daemon.Ports;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Control.Commands;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;
using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Control;

/// <summary>Every command, round-tripped through <see cref="ControlClient"/> to a daemon running in-process.</summary>
public class ControlCommandTests
{
    private static readonly ControlJsonContext Json = ControlJsonContext.Default;

    [Fact]
    public async Task Help_ListsEveryRegisteredCommand()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        HelpResult help = await c.CallAsync("help", null, Json.HelpResult);
        Assert.Equal(CommandRegistry.All.Select(x => x.Name), help.Commands.Select(x => x.Name));
    }

    [Fact]
    public async Task Ports_ListsTheGivenPortsWithCounters()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await d.SendAsync(0, Udp(A, B, "hello"));
        await d.WaitSentAsync(1, 1);
        await using ControlClient c = await d.ConnectAsync();
        PortsResult ports = await c.CallAsync("ports", null, Json.PortsResult);
        Assert.Equal(["p1", "p2"], ports.Ports.Select(p => p.Name));
        PortInfo p1 = ports.Ports[0];
        Assert.Equal(("up", "access:1", 1500, 1L), (p1.State, p1.Vlans, p1.Mtu, p1.RxPackets));
        Assert.Equal(1, ports.Ports[1].TxPackets);
    }

    [Fact]
    public async Task PortAddAndDel_AttachAndDetachWithoutDisturbingTheOthers()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        string capture = Path.Combine(d.Dir, "rec.pcap");
        PortInfo added = await c.CallAsync("port/add", new JsonObject { ["spec"] = $"pcap-file:,{capture},vlan=1" }, Json.PortInfo);
        Assert.Equal(("rec", "up"), (added.Name, added.State));

        await d.SendAsync(0, Udp(A, B, "flooded to p2 and rec"));
        await d.WaitSentAsync(1, 1);
        PortsResult ports = await c.CallAsync("ports", null, Json.PortsResult);
        Assert.Equal(["p1", "p2", "rec"], ports.Ports.Select(p => p.Name));

        ControlReply duplicate = await c.CallAsync("port/add", new JsonObject { ["spec"] = $"pcap-file:,{capture}" });
        Assert.False(duplicate.Ok);
        Assert.Contains("exists already", duplicate.Error);

        PortDelResult removed = await c.CallAsync("port/del", new JsonObject { ["name"] = "rec" }, Json.PortDelResult);
        Assert.Equal("rec", removed.Removed);
        ports = await c.CallAsync("ports", null, Json.PortsResult);
        Assert.Equal(["p1", "p2"], ports.Ports.Select(p => p.Name));
        Assert.True(new FileInfo(capture).Length > 24, "the recording port wrote the flooded frame before it was closed");

        ControlReply missing = await c.CallAsync("port/del", new JsonObject { ["name"] = "rec" });
        Assert.Equal("no port named 'rec'", missing.Error);
    }

    [Fact]
    public async Task PortAdd_DeviceThatCannotOpen_RefusedWithTheReason()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        ControlReply reply = await c.CallAsync("port/add", new JsonObject { ["spec"] = $"pcap-file:{Path.Combine(d.Dir, "missing.pcap")}" });
        Assert.False(reply.Ok);
        Assert.Contains("missing.pcap", reply.Error);
        ControlReply bad = await c.CallAsync("port/add", new JsonObject { ["spec"] = "nonsense" });
        Assert.Contains("KIND:ARGUMENTS", bad.Error);
    }

    [Fact]
    public async Task Stats_HasDatapathPortProcessAndControlCounters()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await d.SendAsync(0, Udp(A, B, "x"));
        await d.WaitSentAsync(1, 1);
        await using ControlClient c = await d.ConnectAsync();
        StatsResult stats = await c.CallAsync("stats", null, Json.StatsResult);
        Assert.Equal(1, stats.Counters["port/p1/rx-packets"]);
        Assert.Equal(1, stats.Counters["fdb/learned"]);
        Assert.True(stats.Counters["process/allocated-bytes"] > 0);
        Assert.True(stats.Counters["process/working-set-bytes"] > 0);
        Assert.Contains("process/gc/gen2-collections", stats.Counters.Keys);
        Assert.Contains("supervisor/p1/went-down", stats.Counters.Keys);
        Assert.True(stats.Counters["control/requests"] >= 1);

        StatsResult fdbOnly = await c.CallAsync("stats", new JsonObject { ["prefix"] = "fdb/" }, Json.StatsResult);
        Assert.All(fdbOnly.Counters.Keys, k => Assert.StartsWith("fdb/", k, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FdbShowAndFlush_ListTheLearnedAddressThenForgetIt()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await d.SendAsync(0, Udp(A, B, "from A"));
        await d.SendAsync(1, Udp(B, A, "from B"));
        await d.WaitSentAsync(0, 1);
        await using ControlClient c = await d.ConnectAsync();

        FdbShowResult fdb = await c.CallAsync("fdb/show", null, Json.FdbShowResult);
        Assert.Equal([(1, "02:00:00:00:00:0a", "p1"), (1, "02:00:00:00:00:0b", "p2")],
            fdb.Entries.Select(e => (e.Vlan, e.Mac, e.Port)));
        Assert.Empty((await c.CallAsync("fdb/show", new JsonObject { ["vlan"] = "7" }, Json.FdbShowResult)).Entries);
        Assert.False((await c.CallAsync("fdb/show", new JsonObject { ["vlan"] = "5000" })).Ok);

        FdbFlushResult one = await c.CallAsync("fdb/flush", new JsonObject { ["port"] = "p2" }, Json.FdbFlushResult);
        Assert.Equal(1, one.Flushed);
        FdbFlushResult rest = await c.CallAsync("fdb/flush", null, Json.FdbFlushResult);
        Assert.Equal(1, rest.Flushed);
        Assert.Empty((await c.CallAsync("fdb/show", null, Json.FdbShowResult)).Entries);
    }

    [Fact]
    public async Task HostsAndEthers_ListAddDel_RoundTrip()
    {
        await using TestDaemon d = await TestDaemon.StartAsync(hosts: "# lab\n198.18.0.10 web.lab web\n", ethers: "");
        await using ControlClient c = await d.ConnectAsync();

        HostsListResult hosts = await c.CallAsync("hosts/list", null, Json.HostsListResult);
        Assert.Equal([new HostsLine(2, "198.18.0.10", ["web.lab", "web"])], hosts.Entries, HostsLineEquality);

        TableEdit added = await c.CallAsync("hosts/add", new JsonObject { ["address"] = "198.18.0.11", ["names"] = new JsonArray("db.lab", "db") }, Json.TableEdit);
        Assert.Equal(["198.18.0.11\tdb.lab db"], added.Added);
        TableEdit again = await c.CallAsync("hosts/add", new JsonObject { ["address"] = "198.18.0.11", ["names"] = new JsonArray("db") }, Json.TableEdit);
        Assert.False(again.Changed);

        TableEdit neighbor = await c.CallAsync("ethers/add", new JsonObject { ["mac"] = "2:0:0:0:0:11", ["target"] = "db.lab" }, Json.TableEdit);
        Assert.Equal(["02:00:00:00:00:11\tdb.lab"], neighbor.Added);
        EthersListResult ethers = await c.CallAsync("ethers/list", null, Json.EthersListResult);
        Assert.Equal([new EthersLine(1, "02:00:00:00:00:11", "db.lab")], ethers.Entries);

        ControlReply inUse = await c.CallAsync("hosts/del", new JsonObject { ["name"] = "db.lab" });
        Assert.False(inUse.Ok);
        Assert.Contains("ethers del", inUse.Error);

        TableEdit gone = await c.CallAsync("ethers/del", new JsonObject { ["key"] = "198.18.0.11" }, Json.TableEdit);
        Assert.Equal(["02:00:00:00:00:11\tdb.lab"], gone.Removed);
        TableEdit hostGone = await c.CallAsync("hosts/del", new JsonObject { ["name"] = "DB.lab" }, Json.TableEdit);
        Assert.Equal(["198.18.0.11\tdb.lab db"], hostGone.Removed);
        Assert.Equal(["198.18.0.11\tdb"], hostGone.Added);

        Assert.Equal("# lab\n198.18.0.10 web.lab web\n198.18.0.11\tdb\n", await File.ReadAllTextAsync(d.Hosts));
        Assert.Equal("", await File.ReadAllTextAsync(d.Ethers));
    }

    [Fact]
    public async Task Reload_GoodFiles_ReportsTheLineCounts()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await File.WriteAllTextAsync(d.Hosts, "198.18.0.10 web\n198.18.0.11 db\n");
        await using ControlClient c = await d.ConnectAsync();
        ReloadResult reload = await c.CallAsync("reload", null, Json.ReloadResult);
        TableLoad load = Assert.Single(reload.Tenants);
        Assert.Equal(("default", 2, 0), (load.Tenant, load.HostsEntries, load.EthersEntries));
    }

    [Theory]
    [InlineData("hosts/add", "{\"address\":\"198.18.0.300\",\"names\":[\"x\"]}", "greater than 255")]
    [InlineData("hosts/add", "{\"address\":\"198.18.0.3\",\"names\":[\"-bad\"]}", "hyphen")]
    [InlineData("hosts/add", "{\"address\":\"198.18.0.3\",\"names\":[\"a b\"]}", "contains a space")]
    [InlineData("hosts/add", "{\"address\":\"198.18.0.3\"}", "'names' needs at least 1 value")]
    [InlineData("hosts/del", "{\"name\":\"nobody\"}", "no hosts line has the name 'nobody'")]
    [InlineData("ethers/add", "{\"mac\":\"ff:ff:ff:ff:ff:ff\",\"target\":\"198.18.0.3\"}", "group")]
    [InlineData("ethers/add", "{\"mac\":\"02:00:00:00:00:01\",\"target\":\"nohost\"}", "not in the hosts table")]
    [InlineData("ethers/del", "{\"key\":\"02:00:00:00:00:01\"}", "no ethers line matches")]
    [InlineData("fdb/show", "{\"vlan\":\"x\",\"extra\":1}", "unknown argument 'extra'")]
    [InlineData("ports", "[1]", "'args' must be an object")]
    public async Task Command_BadArguments_RefusedWithAReasonAndTheFileUntouched(string command, string args, string reason)
    {
        await using TestDaemon d = await TestDaemon.StartAsync(hosts: "198.18.0.10 web\n");
        await using ControlClient c = await d.ConnectAsync();
        ControlReply reply = await c.SendLineAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"command\":\"{command}\",\"args\":{args}}}\n"));
        Assert.False(reply.Ok);
        Assert.Contains(reason, reply.Error + string.Join(' ', reply.Errors), StringComparison.Ordinal);
        Assert.Equal("198.18.0.10 web\n", await File.ReadAllTextAsync(d.Hosts));
        Assert.Equal("", await File.ReadAllTextAsync(d.Ethers));
    }

    private static readonly IEqualityComparer<HostsLine> HostsLineEquality = EqualityComparer<HostsLine>.Create(
        (a, b) => a!.Line == b!.Line && a.Address == b.Address && a.Names.SequenceEqual(b.Names), h => h.Line);
}
