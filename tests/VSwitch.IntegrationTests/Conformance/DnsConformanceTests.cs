using System.Text;
using System.Text.RegularExpressions;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Conformance;

/// <summary>
/// Real resolvers against the peephole: dig and glibc get a truncated reply (TC=1, the question
/// alone) for an answer over 512 bytes and retry over TCP at the server they asked, dnsmasq
/// serving the same hosts file, which then gives every address; ANY, NS at the apex, and types
/// the tables cannot know for a name outside the local zones.
/// </summary>
public partial class DnsConformanceTests
{
    private const string Server = "198.18.0.53";

    private static string Hosts()
    {
        var b = new StringBuilder();
        b.Append("198.18.0.20   web.cluster.local\n2001:db8::20  web.cluster.local\n");
        b.Append("198.18.0.53   ns.cluster.local\n");
        b.Append("198.18.0.25   mail.example.org\n");
        for (int i = 1; i <= 40; i++) b.Append($"198.18.1.{i}  many.cluster.local\n");
        return b.ToString();
    }

    [Fact]
    public void AnswerOver512_DigAndGlibcGetTruncatedReply_ThenEveryAddressOverTcpFromTheServer()
    {
        Privileges.RequireRoot();
        using var env = Start(out NetNamespace client);
        // Without retrying over TCP, dig shows what the switch sent: TC=1, authoritative, no answer.
        string truncated = client.TryExec(TimeSpan.FromSeconds(15), "dig", "+noedns", "+ignore", "+tries=1", "+time=2", "@" + Server,
            "many.cluster.local", "A").Stdout;
        Assert.Matches(@"flags: qr aa tc rd;", truncated);
        Assert.Matches(@"ANSWER: 0,", truncated);
        Assert.Equal(1, env.Daemon.Counter("peephole/dns/truncated"));

        // dig as people run it retries over TCP, which reaches dnsmasq: all 40 addresses.
        string retried = client.TryExec(TimeSpan.FromSeconds(15), "dig", "+noedns", "+tries=1", "+time=2", "@" + Server,
            "many.cluster.local", "A").Stdout;
        Assert.Contains("Truncated, retrying in TCP mode", retried);
        Assert.Equal(40, ARecord().Count(retried));

        // glibc's stub resolver (no EDNS0, so 512 bytes) does the same through getaddrinfo.
        var (addresses, output) = Getent.AhostsV4(client, Server, "many.cluster.local");
        Assert.True(addresses.Count == 40, $"getent found {addresses.Count} addresses:\n{output}");
        Assert.True(env.Daemon.Counter("peephole/dns/truncated") >= 3);
    }

    [Fact]
    public void Dig_AnyNsAndTypesOutsideTheZones()
    {
        Privileges.RequireRoot();
        using var env = Start(out NetNamespace client);

        // dig asks ANY over TCP unless told otherwise, and TCP goes to dnsmasq.
        Dig.Answer any = Dig.Query(client, Server, "web.cluster.local", "ANY", "+notcp");
        Assert.Equal(("NOERROR", true), (any.Status, any.Authoritative));
        Assert.Equal(["web.cluster.local. 60 IN A 198.18.0.20", "web.cluster.local. 60 IN AAAA 2001:db8::20"], any.Records);

        // NS at the apex names dns-ns-name, with its address as glue.
        string ns = client.TryExec(TimeSpan.FromSeconds(15), "dig", "+tries=1", "+time=2", "@" + Server, "cluster.local", "NS").Stdout;
        Assert.Matches(@"cluster\.local\.\s+60\s+IN\s+NS\s+ns\.cluster\.local\.", ns);
        Assert.Matches(@"ADDITIONAL SECTION:\s*\nns\.cluster\.local\.\s+60\s+IN\s+A\s+198\.18\.0\.53", ns);

        // mail.example.org is a hosts name outside every zone: its A comes from the switch, its MX
        // from the server it was sent to (dnsmasq here), which may know more than the hosts file.
        Assert.Equal(["mail.example.org. 60 IN A 198.18.0.25"], Dig.Query(client, Server, "mail.example.org", "A").Records);
        Assert.Equal(0, env.Daemon.Counter("peephole/dns/forwarded-unsupported-type"));
        // dnsmasq itself forwards it too (its hosts file holds no MX) and, with no upstream, refuses:
        // the answer is the server's own, not an authoritative NODATA from the switch.
        Dig.Answer mx = Dig.Query(client, Server, "mail.example.org", "MX");
        Assert.Equal(("REFUSED", false), (mx.Status, mx.Authoritative));
        Assert.Equal(1, env.Daemon.Counter("peephole/dns/forwarded-unsupported-type"));
        Assert.Equal(3, env.Daemon.Counter("peephole/dns/replied"));
    }

    // A client host and a server host running dnsmasq on the same hosts file, at the address the client asks.
    private static SwitchedHosts Start(out NetNamespace client)
    {
        var env = new SwitchedHosts(Hosts(), "", ["02:00:00:00:00:0a", "02:00:00:00:00:53"],
            "--zone", "cluster.local", "--dns-ttl", "60", "--dns-ns-name", "ns.cluster.local");
        try
        {
            client = env.Hosts[0];
            NetNamespace server = env.Hosts[1];
            client.Exec("ip", "addr", "add", "198.18.0.10/24", "dev", "eth0");
            server.Exec("ip", "addr", "add", Server + "/24", "dev", "eth0");
            env.Start(server, "dnsmasq.log", "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--addn-hosts=" + env.HostsPath,
                "--bind-interfaces", "--listen-address=" + Server, "--except-interface=lo", "--local-ttl=60",
                "--pid-file=" + Path.Combine(env.Directory, "dnsmasq.pid"), "--user=root");
            // dnsmasq is ready when it answers over TCP (the switch never answers TCP).
            for (int i = 0; i < 40; i++)
            {
                if (client.TryExec(TimeSpan.FromSeconds(5), "dig", "+tcp", "+tries=1", "+time=1", "@" + Server, "web.cluster.local").Stdout.Contains("NOERROR", StringComparison.Ordinal))
                    break;
                Thread.Sleep(250);
            }
            return env;
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"many\.cluster\.local\.\s+\d+\s+IN\s+A\s+198\.18\.1\.\d+")]
    private static partial Regex ARecord();
}
