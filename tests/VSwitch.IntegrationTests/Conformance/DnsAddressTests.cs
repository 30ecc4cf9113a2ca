using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Conformance;

/// <summary>
/// The switch's own DNS address (<c>--dns-address</c>), with no DNS server running anywhere: glibc
/// resolves a name with 40 addresses through it (TC=1 over UDP from the datapath, then the whole
/// answer over TCP from the switch's DNS service), dig over TCP gets what it gets over UDP, and a
/// name outside the tables is refused at once.
/// </summary>
public partial class DnsAddressTests
{
    private const string DnsAddress = "198.18.0.250";

    private static string Hosts()
    {
        var b = new StringBuilder("198.18.0.20 web.cluster.local\n2001:db8::20 web.cluster.local\n");
        for (int i = 1; i <= 40; i++) b.Append($"198.18.1.{i} many.cluster.local\n");
        return b.ToString();
    }

    [Fact]
    public void DnsAddress_GlibcGetsFortyAddressesOverTcp_DigTcpMatchesUdp_MissRefusedAtOnce()
    {
        Privileges.RequireRoot();
        using var env = new SwitchedHosts(Hosts(), "", ["02:00:00:00:00:0a"], "--zone", "cluster.local", "--dns-ttl", "60",
            "--dns-address", DnsAddress);
        NetNamespace client = env.Hosts[0];
        client.Exec("ip", "addr", "add", "198.18.0.10/24", "dev", "eth0");
        string resolvDir = Path.Combine("/etc/netns", client.Name);
        try
        {
            Directory.CreateDirectory(resolvDir);
            File.WriteAllText(Path.Combine(resolvDir, "resolv.conf"), $"nameserver {DnsAddress}\noptions attempts:1 timeout:2\n");
            Sh.Result getent = client.TryExec(TimeSpan.FromSeconds(20), "getent", "ahostsv4", "many.cluster.local");
            var addresses = getent.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToHashSet();
            Assert.True(addresses.Count == 40, $"getent found {addresses.Count} addresses:\n{getent.Stdout}{getent.Stderr}\n{env.Daemon.Log}");
            Assert.True(env.Daemon.Counter("peephole/dns/truncated") >= 1);
            Assert.True(env.Daemon.Counter("dns-service/default/tcp-queries") >= 1);
        }
        finally
        {
            if (Directory.Exists(resolvDir)) Directory.Delete(resolvDir, recursive: true);
        }

        // Over TCP the service answers as the datapath does over UDP.
        Dig.Answer udp = Dig.Query(client, DnsAddress, "web.cluster.local", "A");
        Dig.Answer tcp = Dig.Query(client, DnsAddress, "web.cluster.local", "A", "+tcp");
        Assert.Equal(("NOERROR", true), (udp.Status, udp.Authoritative));
        Assert.Equal(["web.cluster.local. 60 IN A 198.18.0.20"], udp.Records);
        Assert.Equal((udp.Status, udp.Authoritative), (tcp.Status, tcp.Authoritative));
        Assert.Equal(udp.Records, tcp.Records);

        // Not in the tables and no upstream: REFUSED, at once, over UDP and over TCP.
        var timer = Stopwatch.StartNew();
        Assert.Equal("REFUSED", Dig.Query(client, DnsAddress, "www.example.org", "A").Status);
        Assert.Equal("REFUSED", Dig.Query(client, DnsAddress, "www.example.org", "A", "+tcp").Status);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"two refusals took {timer.Elapsed}");
        Assert.True(env.Daemon.Counter("dns-service/default/refused") >= 2);
    }
}
