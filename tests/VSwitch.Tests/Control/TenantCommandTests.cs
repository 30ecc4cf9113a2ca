using System.Buffers.Binary;
using System.Text.Json.Nodes;
using PacketDotNet;
using Vswitchctl = VSwitch.Ctl.CommandLine;
using VSwitch.Daemon.Ports;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Control.Commands;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;
using VSwitch.Daemon.Tenancy;
using VSwitch.Datapath.Ports;
using VSwitch.Tests.Scenarios;

namespace VSwitch.Tests.Control;

/// <summary>
/// Tenants through the in-process daemon and its control socket: three tenants with overlapping
/// tables on one switch (default on VLAN 1, blue on 10, green on 20, red on whatever comes from
/// port p2), queried through memory ports on trunks; table commands with and without a tenant.
/// </summary>
public class TenantCommandTests
{
    private static int _queryId = 0x6000;

    private static readonly TestFrames.Host Shared = new("02:00:00:00:00:99", "198.18.0.20");
    private static readonly TestFrames.Host OnlyGreen = new("02:00:00:00:00:98", "198.18.0.31");

    // The same name and address in every tenant with different answers; names only one tenant has.
    private const string DefaultHosts = "198.18.0.20 web.corp\n";
    private const string BlueHosts = "198.18.0.21 web.corp\n198.18.0.30 only-blue.corp\n";
    private const string BlueEthers = "02:00:00:00:0b:01 198.18.0.20\n";
    private const string GreenHosts = "198.18.0.22 web.corp\n198.18.0.31 only-green.corp\n";
    private const string GreenEthers = "02:00:00:00:0c:01 198.18.0.20\n";
    private const string RedHosts = "198.18.0.23 web.corp\n";

    private static Task<TestDaemon> StartAsync() => TestDaemon.StartAsync(hosts: DefaultHosts, configure: (dir, config) =>
    {
        foreach (var (file, text) in new[] { ("blue.hosts", BlueHosts), ("blue.ethers", BlueEthers), ("green.hosts", GreenHosts),
                     ("green.ethers", GreenEthers), ("red.hosts", RedHosts) })
            File.WriteAllText(Path.Combine(dir, file), text);
        // Read by the config file reader, sections and all, on top of the test daemon's settings.
        string sections = $"""
            [tenant blue]
            vlans = 10
            hosts = {dir}/blue.hosts
            ethers = {dir}/blue.ethers
            zone = corp

            [tenant green]
            vlans = 20
            hosts = {dir}/green.hosts
            ethers = {dir}/green.ethers

            [tenant red]
            ports = p2,rec
            hosts = {dir}/red.hosts
            """;
        var errors = new List<ConfigError>();
        SwitchConfig? withTenants = ConfigKeys.ApplyAll(config, ConfigFileReader.Parse("tenants.conf", sections, errors), errors);
        Assert.Empty(errors);
        return withTenants!;
    }, ports: new PortConfig(VlanMode.Trunk([1, 10, 20])));

    [Fact]
    public async Task SameName_FromEachTenant_EachGetsItsOwnAnswer()
    {
        await using TestDaemon d = await StartAsync();
        Assert.Equal("198.18.0.20", A(await AskAsync(d, 1, "web.corp")));
        Assert.Equal("198.18.0.21", A(await AskAsync(d, 10, "web.corp")));
        Assert.Equal("198.18.0.22", A(await AskAsync(d, 20, "web.corp")));
        // A port binding wins over the VLAN: p2 is red's on every VLAN.
        Assert.Equal("198.18.0.23", A(await AskAsync(d, 10, "web.corp", fromPort: 1)));
        Assert.Equal("198.18.0.23", A(await AskAsync(d, 20, "web.corp", fromPort: 1)));

        // A tenant without the name: blue's zone makes it NXDOMAIN there; green has no zone and forwards.
        byte[]? nx = await AskAsync(d, 10, "only-green.corp");
        Assert.Equal(3, nx![3] & 0x0F);
        Assert.Null(await AskAsync(d, 20, "only-blue.corp"));
        Assert.Equal("198.18.0.31", A(await AskAsync(d, 20, "only-green.corp")));

        Assert.Equal("02:00:00:00:0b:01", await ArpAsync(d, 10, Shared));
        Assert.Equal("02:00:00:00:0c:01", await ArpAsync(d, 20, Shared));
        Assert.Null(await ArpAsync(d, 1, Shared));
    }

    [Fact]
    public async Task PortAddAndDel_BindingFollowsThePortName_NotItsNumber()
    {
        await using TestDaemon d = await StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        string input = Path.Combine(d.Dir, "ask.pcap");
        byte[] query = TestDns.Query(0x7001, "web.corp", TestDns.TypeA);
        ScenarioFiles.WritePcap(input, [(1_000_000_000, PeepholeFrames.Query(TestFrames.A, query))]);

        // A port named rec is red's as soon as it is attached: its first frame, read at once, is answered by red.
        Assert.Equal("198.18.0.23", A(await ReplayThroughPortAsync(c, d, input, "rec")));
        // Another port that takes rec's number after it left is not red's: VLAN 10 makes it blue's.
        Assert.Equal("198.18.0.21", A(await ReplayThroughPortAsync(c, d, input, "other")));
    }

    // Attaches a pcap-file port on VLAN 10 that replays input and records what it is sent; detaches
    // it and returns the DNS reply it recorded.
    private static async Task<byte[]?> ReplayThroughPortAsync(ControlClient c, TestDaemon d, string input, string name)
    {
        string output = Path.Combine(d.Dir, name + ".out.pcap");
        PortInfo port = await c.CallAsync("port/add", new JsonObject { ["spec"] = $"pcap-file:{input},{output},vlan=10,name={name}" },
            ControlJsonContext.Default.PortInfo);
        Assert.Equal(2, port.Id);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        StatsResult stats;
        do
        {
            await Task.Delay(10);
            stats = await c.CallAsync("stats", new JsonObject { ["prefix"] = $"port/{name}/tx-packets" }, ControlJsonContext.Default.StatsResult);
        }
        while (stats.Counters.GetValueOrDefault($"port/{name}/tx-packets") == 0 && DateTime.UtcNow < deadline);
        Assert.True((await c.CallAsync("port/del", new JsonObject { ["name"] = name })).Ok);
        byte[] frame = Assert.Single(Fuzz.SeedCorpus.ReadPcap(await File.ReadAllBytesAsync(output)));
        return Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<UdpPacket>().PayloadData;
    }

    [Fact]
    public async Task HostsAdd_InBlue_AnsweredOnBluesVlanOnly_AndWrittenToBluesFileOnly()
    {
        await using TestDaemon d = await StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        TableEdit add = await c.CallAsync("hosts/add",
            new JsonObject { ["tenant"] = "blue", ["address"] = "198.18.0.40", ["names"] = new JsonArray("new.corp") },
            ControlJsonContext.Default.TableEdit);
        Assert.Equal((true, "blue", Path.Combine(d.Dir, "blue.hosts")), (add.Changed, add.Tenant, add.File));

        Assert.Equal("198.18.0.40", A(await AskAsync(d, 10, "new.corp")));
        Assert.Null(await AskAsync(d, 20, "new.corp"));
        Assert.Null(await AskAsync(d, 1, "new.corp"));
        Assert.EndsWith("198.18.0.40\tnew.corp\n", await File.ReadAllTextAsync(Path.Combine(d.Dir, "blue.hosts")), StringComparison.Ordinal);
        Assert.Equal(GreenHosts, await File.ReadAllTextAsync(Path.Combine(d.Dir, "green.hosts")));
        Assert.Equal(DefaultHosts, await File.ReadAllTextAsync(d.Hosts));

        ControlReply del = await c.CallAsync("hosts/del", new JsonObject { ["tenant"] = "blue", ["name"] = "new.corp" });
        Assert.True(del.Ok, del.Error);
        Assert.Equal(3, (await AskAsync(d, 10, "new.corp"))![3] & 0x0F);
    }

    [Fact]
    public async Task EthersAdd_InGreen_ArpAnsweredOnGreensVlanOnly()
    {
        await using TestDaemon d = await StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        Assert.Null(await ArpAsync(d, 20, OnlyGreen));
        ControlReply add = await c.CallAsync("ethers/add",
            new JsonObject { ["tenant"] = "green", ["mac"] = "02:00:00:00:0c:31", ["target"] = "only-green.corp" });
        Assert.True(add.Ok, add.Error);
        Assert.Equal("02:00:00:00:0c:31", await ArpAsync(d, 20, OnlyGreen));
        Assert.Null(await ArpAsync(d, 10, OnlyGreen));

        // Blue has no such host: the edit is refused there, and blue's file is untouched.
        ControlReply blue = await c.CallAsync("ethers/add",
            new JsonObject { ["tenant"] = "blue", ["mac"] = "02:00:00:00:0c:31", ["target"] = "only-green.corp" });
        Assert.False(blue.Ok);
        Assert.Contains("not in the hosts table", blue.Error, StringComparison.Ordinal);
        Assert.Equal(BlueEthers, await File.ReadAllTextAsync(Path.Combine(d.Dir, "blue.ethers")));
    }

    [Fact]
    public async Task TableCommands_WithoutATenant_WorkOnTheDefaultTenant()
    {
        await using TestDaemon d = await StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        HostsListResult list = await c.CallAsync("hosts/list", null, ControlJsonContext.Default.HostsListResult);
        Assert.Equal((d.Hosts, "default"), (list.File, list.Tenant));
        Assert.Equal("web.corp", Assert.Single(list.Entries).Names[0]);
        HostsListResult green = await c.CallAsync("hosts/list", new JsonObject { ["tenant"] = "green" }, ControlJsonContext.Default.HostsListResult);
        Assert.Equal(["web.corp", "only-green.corp"], green.Entries.Select(e => e.Names[0]));
        EthersListResult blue = await c.CallAsync("ethers/list", new JsonObject { ["tenant"] = "blue" }, ControlJsonContext.Default.EthersListResult);
        Assert.Equal("198.18.0.20", Assert.Single(blue.Entries).Target);
    }

    [Theory]
    [InlineData("hosts/list", "{\"tenant\":\"purple\"}")]
    [InlineData("hosts/add", "{\"tenant\":\"purple\",\"address\":\"198.18.0.1\",\"names\":[\"x\"]}")]
    [InlineData("hosts/del", "{\"tenant\":\"purple\",\"name\":\"x\"}")]
    [InlineData("ethers/list", "{\"tenant\":\"purple\"}")]
    [InlineData("ethers/add", "{\"tenant\":\"purple\",\"mac\":\"02:00:00:00:00:01\",\"target\":\"198.18.0.1\"}")]
    [InlineData("ethers/del", "{\"tenant\":\"purple\",\"key\":\"x\"}")]
    [InlineData("reload", "{\"tenant\":\"purple\"}")]
    public async Task UnknownTenant_IsAnErrorListingTheTenants(string command, string args)
    {
        await using TestDaemon d = await StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        ControlReply r = await c.CallAsync(command, (JsonObject)JsonNode.Parse(args)!);
        Assert.False(r.Ok);
        Assert.Equal("no tenant named 'purple'; the tenants are default, blue, green, red", r.Error);
    }

    [Fact]
    public async Task Tenants_ListsEachTenantsBindingFilesEntriesAndReplies()
    {
        await using TestDaemon d = await StartAsync();
        await AskAsync(d, 10, "web.corp");
        await AskAsync(d, 10, "only-green.corp");
        await ArpAsync(d, 20, Shared);
        await using ControlClient c = await d.ConnectAsync();
        TenantsResult r = await c.CallAsync("tenants", null, ControlJsonContext.Default.TenantsResult);
        Assert.Equal(["default", "blue", "green", "red"], r.Tenants.Select(t => t.Name));
        TenantInfo def = r.Tenants[0], blue = r.Tenants[1], green = r.Tenants[2], red = r.Tenants[3];
        Assert.Equal(("1", 1, 0), (def.Vlans, def.HostsEntries, def.EthersEntries));
        Assert.Equal(("10", Path.Combine(d.Dir, "blue.hosts"), Path.Combine(d.Dir, "blue.ethers"), 2, 1),
            (blue.Vlans, blue.HostsFile, blue.EthersFile, blue.HostsEntries, blue.EthersEntries));
        Assert.Equal((2L, 0L), (blue.DnsReplied, blue.ArpReplied));
        Assert.Equal((0L, 1L), (green.DnsReplied, green.ArpReplied));
        Assert.Equal(("", (string?)null), (red.Vlans, red.EthersFile));
        Assert.Equal(["p2", "rec"], red.Ports);

        // The per-tenant counters are in stats too.
        StatsResult stats = await c.CallAsync("stats", new JsonObject { ["prefix"] = "tenant/blue/" }, ControlJsonContext.Default.StatsResult);
        Assert.Equal(1, stats.Counters["tenant/blue/peephole/dns/nxdomain"]);
    }

    [Fact]
    public async Task Reload_OneTenantBad_ItKeepsItsTablesAndTheOthersReload()
    {
        await using TestDaemon d = await StartAsync();
        string blueHosts = Path.Combine(d.Dir, "blue.hosts");
        await File.WriteAllTextAsync(blueHosts, BlueHosts + "198.18.0.300 broken.corp\n");
        await File.WriteAllTextAsync(Path.Combine(d.Dir, "green.hosts"), GreenHosts + "198.18.0.50 later.corp\n");
        await using ControlClient c = await d.ConnectAsync();

        ControlReply reload = await c.CallAsync("reload");
        Assert.False(reload.Ok);
        Assert.StartsWith("tenant 'blue': the tables were not loaded: 1 error", reload.Error, StringComparison.Ordinal);
        Assert.EndsWith("(default, green, red reloaded)", reload.Error, StringComparison.Ordinal);
        Assert.StartsWith(blueHosts + ":3: '198.18.0.300'", Assert.Single(reload.Errors), StringComparison.Ordinal);
        Assert.Equal("198.18.0.50", A(await AskAsync(d, 20, "later.corp")));
        Assert.Equal("198.18.0.21", A(await AskAsync(d, 10, "web.corp")));

        // One tenant's reload reads that tenant's files alone.
        await File.WriteAllTextAsync(blueHosts, BlueHosts + "198.18.0.51 fixed.corp\n");
        await File.WriteAllTextAsync(Path.Combine(d.Dir, "green.hosts"), GreenHosts);
        ReloadResult one = await c.CallAsync("reload", new JsonObject { ["tenant"] = "blue" }, ControlJsonContext.Default.ReloadResult);
        Assert.Equal(("blue", 3), (Assert.Single(one.Tenants).Tenant, one.Tenants[0].HostsEntries));
        Assert.Equal("198.18.0.51", A(await AskAsync(d, 10, "fixed.corp")));
        Assert.Equal("198.18.0.50", A(await AskAsync(d, 20, "later.corp")));
    }

    [Fact]
    public void Vswitchctl_TenantOption_GoesIntoTheTableCommandsArgs_AndIsRefusedElsewhere()
    {
        var options = new Dictionary<string, string> { ["tenant"] = "blue" };
        Assert.True(Vswitchctl.TryBuildRequest(["hosts", "add", "198.18.0.1", "a", "b"], out ControlCommand? cmd, out JsonObject? args, out _, options));
        Assert.Equal("hosts/add", cmd!.Name);
        Assert.Equal("""{"tenant":"blue","address":"198.18.0.1","names":["a","b"]}""", args!.ToJsonString());
        Assert.Equal("hosts add [--tenant NAME] ADDRESS NAME [ALIAS...]", cmd.Usage);

        Assert.True(Vswitchctl.TryBuildRequest(["reload"], out _, out JsonObject? reload, out _, options));
        Assert.Equal("""{"tenant":"blue"}""", reload!.ToJsonString());
        // Without the option, a word is never taken for the tenant.
        Assert.False(Vswitchctl.TryBuildRequest(["hosts", "list", "blue"], out _, out _, out string tooMany));
        Assert.StartsWith("too many arguments", tooMany, StringComparison.Ordinal);

        Assert.False(Vswitchctl.TryBuildRequest(["fdb", "show"], out _, out _, out string error, options));
        Assert.Equal("'fdb show' takes no --tenant; usage: fdb show [VLAN]", error);
    }

    [Fact]
    public async Task Vswitchctl_TenantOption_EditsThatTenant()
    {
        await using TestDaemon d = await StartAsync();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await Vswitchctl.RunAsync(["--control", d.Socket, "--tenant", "green", "hosts", "add", "198.18.0.60", "cli.corp"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("(tenant green)", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal("198.18.0.60", A(await AskAsync(d, 20, "cli.corp")));
        Assert.Null(await AskAsync(d, 10, "cli.corp", expectNxdomain: true));

        var table = new StringWriter();
        Assert.Equal(0, await Vswitchctl.RunAsync(["--control", d.Socket, "tenants"], table, stderr));
        string[] lines = table.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("tenant ", lines[0], StringComparison.Ordinal);
        Assert.Equal(["default", "blue", "green", "red"], lines[1..5].Select(l => l.Split(' ')[0]));
        Assert.Contains(" 20 ", lines[3], StringComparison.Ordinal);
        // Then each table file's state, one line each.
        Assert.Contains(lines[5..], l => l.StartsWith("tenant green: ", StringComparison.Ordinal) && l.Contains(" loaded, ", StringComparison.Ordinal));
    }

    private static string A(byte[]? dns)
    {
        Assert.NotNull(dns);
        Assert.Equal(0, dns[3] & 0x0F);
        return string.Join('.', dns[^4..]);
    }

    // Asks for name's A record from host A, tagged with vlan, on port fromPort. Returns the DNS
    // message the switch wrote back (NXDOMAIN included), or null when the query went on to the
    // other port unanswered.
    private static async Task<byte[]?> AskAsync(TestDaemon d, ushort vlan, string name, int fromPort = 0, bool expectNxdomain = false)
    {
        byte[] query = TestDns.Query((ushort)Interlocked.Increment(ref _queryId), name, TestDns.TypeA);
        byte[]? reply = await ExchangeAsync(d, fromPort, vlan, PeepholeFrames.Query(TestFrames.A, query));
        if (reply is null) return null;
        byte[] dns = Packet.ParsePacket(LinkLayers.Ethernet, reply).Extract<UdpPacket>().PayloadData;
        Assert.Equal(query[..2], dns[..2]);
        if (expectNxdomain && (dns[3] & 0x0F) == 3) return null;
        return dns;
    }

    // Asks who has target's address from host A on vlan; the MAC the switch answered, or null.
    private static async Task<string?> ArpAsync(TestDaemon d, ushort vlan, TestFrames.Host target)
    {
        byte[]? reply = await ExchangeAsync(d, 0, vlan, TestFrames.ArpRequest(TestFrames.A, target));
        if (reply is null) return null;
        var arp = (ArpPacket)Packet.ParsePacket(LinkLayers.Ethernet, reply).PayloadPacket;
        Assert.Equal(ArpOperation.Response, arp.Operation);
        return string.Join(':', arp.SenderHardwareAddress.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    // Sends frame tagged with vlan into port `from`; returns the reply that came back to it (tag
    // checked and removed), or null when the frame left by the other port instead.
    private static async Task<byte[]?> ExchangeAsync(TestDaemon d, int from, ushort vlan, byte[] frame)
    {
        int other = 1 - from;
        int back = (await d.SentAsync(from)).Count, on = (await d.SentAsync(other)).Count;
        await d.SendAsync(from, TestFrames.Tagged(frame, vlan));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            List<byte[]> replies = await d.SentAsync(from), forwarded = await d.SentAsync(other);
            if (replies.Count > back)
            {
                byte[] tagged = replies[^1];
                Assert.Equal(0x8100, BinaryPrimitives.ReadUInt16BigEndian(tagged.AsSpan(12)));
                Assert.Equal(vlan, BinaryPrimitives.ReadUInt16BigEndian(tagged.AsSpan(14)) & 0xFFF);
                return [.. tagged.AsSpan(0, 12), .. tagged.AsSpan(16)];
            }
            if (forwarded.Count > on)
            {
                await d.SettleAsync();
                Assert.Equal(back, (await d.SentAsync(from)).Count);
                return null;
            }
            await Task.Delay(5);
        }
        Assert.Fail("the frame neither came back nor went on within 10 s");
        return null;
    }
}
