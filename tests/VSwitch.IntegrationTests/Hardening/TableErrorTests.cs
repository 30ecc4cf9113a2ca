using System.Text.Json;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Hardening;

/// <summary><c>table-errors</c> with vswitchd started as a user would (issue 16): refuse stops it
/// before any port, printing every bad line; skip serves the good lines and counts the bad.</summary>
public class TableErrorTests
{
    private const string BadHosts = "198.18.0.100  web.cluster.local\n198.18.0.300  bad.cluster.local\n198.18.0.101  db.cluster.local\nfe80::1%eth0  zoned.cluster.local\n";

    [Fact]
    public void Refuse_ByDefault_DoesNotStart_PrintsEveryBadLine_CreatesNoPort()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-tables-");
        string tap = $"vst{Environment.ProcessId % 10000}r";
        env.OnDispose(() => Sh.Try("ip", "link", "del", tap));
        File.WriteAllText(env.Path("hosts"), BadHosts);
        Sh.Result run = Sh.Try(TimeSpan.FromSeconds(30), "dotnet", DaemonProcess.Built("vswitchd"), "--port", "tap:" + tap,
            "--hosts", env.Path("hosts"), "--ethers", "none", "--control", env.Path("ctl.sock"), "--port-state", env.Path("ports"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"vswitchd: {env.Path("hosts")}:2: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"vswitchd: {env.Path("hosts")}:4: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("table-errors = refuse", run.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, Sh.Try("ip", "link", "show", "dev", tap).ExitCode);
    }

    [Fact]
    public void Skip_ServesTheGoodLines_CountsTheBad_TenantsShowsTheState()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-tables-");
        NetNamespace h = env.Own(new NetNamespace("t1"));
        VethPair link = env.Own(new VethPair());
        File.WriteAllText(env.Path("hosts"), BadHosts);
        // The DNS server the host asks: any address the ethers table answers ARP for.
        File.WriteAllText(env.Path("ethers"), "02:00:00:00:00:53 198.18.0.53\n");
        DaemonProcess daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), "--port", "afpacket:" + link.SwitchSide,
            "--hosts", env.Path("hosts"), "--ethers", env.Path("ethers"), "--zone", "cluster.local", "--table-errors", "skip"));
        h.Adopt(link.HostSide, "eth0", "198.18.0.1/24");

        Assert.Equal(["db.cluster.local. 60 IN A 198.18.0.101"], Dig.Query(h, "198.18.0.53", "db.cluster.local").Records);
        Assert.Equal("NXDOMAIN", Dig.Query(h, "198.18.0.53", "bad.cluster.local").Status);
        Assert.Equal(2, daemon.Counter("tables/default/hosts/bad-lines"));
        Assert.Equal(2, daemon.Counter("tables/default/hosts/lines"));
        Assert.Contains("2 bad line(s) skipped", daemon.Log, StringComparison.Ordinal);
        using (JsonDocument tenants = daemon.CtlJson("tenants"))
        {
            JsonElement hosts = tenants.RootElement.GetProperty("tenants")[0].GetProperty("hosts");
            Assert.True(hosts.GetProperty("loaded").GetBoolean());
            Assert.Equal(2, hosts.GetProperty("badLines").GetInt32());
            Assert.StartsWith($"{env.Path("hosts")}:2: ", hosts.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        }

        // A reload under skip takes the new good lines and reports the skipped ones.
        File.AppendAllText(env.Path("hosts"), "198.18.0.102  new.cluster.local\nnot-an-address  x\n");
        Sh.Result reload = daemon.Ctl("reload");
        Assert.True(reload.ExitCode == 0, reload.Stderr);
        Assert.Contains($"skipped {env.Path("hosts")}:6: ", reload.Stdout, StringComparison.Ordinal);
        Assert.Equal(["new.cluster.local. 60 IN A 198.18.0.102"], Dig.Query(h, "198.18.0.53", "new.cluster.local").Records);
        Assert.Equal(3, daemon.Counter("tables/default/hosts/bad-lines"));
    }
}
