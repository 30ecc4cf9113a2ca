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
        var (addresses, output) = Getent.AhostsV4(client, DnsAddress, "many.cluster.local");
        Assert.True(addresses.Count == 40, $"getent found {addresses.Count} addresses:\n{output}\n{env.Daemon.Log}");
        Assert.True(env.Daemon.Counter("peephole/dns/truncated") >= 1);
        Assert.True(env.Daemon.Counter("dns-service/default/tcp-queries") >= 1);

        // Over TCP the service answers as the datapath does over UDP.
        Dig.Answer udp = Dig.Query(client, DnsAddress, "web.cluster.local", "A");
        Dig.Answer tcp = Dig.Query(client, DnsAddress, "web.cluster.local", "A", "+tcp");
        Assert.Equal(("NOERROR", true), (udp.Status, udp.Authoritative));
        Assert.Equal(["web.cluster.local. 60 IN A 198.18.0.20"], udp.Records);
        Assert.Equal((udp.Status, udp.Authoritative), (tcp.Status, tcp.Authoritative));
        Assert.Equal(udp.Records, tcp.Records);

        // Not in the tables and no upstream: REFUSED, at once, over UDP and over TCP.
        AssertStatusAtOnce(client, "www.example.org", "REFUSED");
        Assert.True(env.Daemon.Counter("dns-service/default/refused") >= 2);
    }

    /// <summary>
    /// A name outside the tables resolves through the tenant's upstream, dnsmasq in a namespace the
    /// host reaches by a veth of its own (198.19.0.0/30), over UDP and over TCP, with the client's ID
    /// and the upstream's TTL; with the upstream stopped, SERVFAIL within a second.
    /// </summary>
    [Fact]
    public void DnsAddress_MissResolvedByUpstream_OverUdpAndTcp_ServfailAtOnceWhenItStops()
    {
        Privileges.RequireRoot();
        using var upstreamHost = new NetNamespace("upstream");
        using var link = new VethPair();
        Sh.Run("ip", "addr", "add", "198.19.0.1/30", "dev", link.SwitchSide);
        upstreamHost.Adopt(link.HostSide, "eth0", "198.19.0.2/30");
        using var env = new SwitchedHosts(Hosts(), "", ["02:00:00:00:00:0a"], "--zone", "cluster.local", "--dns-ttl", "60",
            "--dns-address", DnsAddress, "--dns-upstream", "198.19.0.2");
        NetNamespace client = env.Hosts[0];
        client.Exec("ip", "addr", "add", "198.18.0.10/24", "dev", "eth0");
        Process dnsmasq = env.Start(upstreamHost, "dnsmasq.log", "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
            "--bind-interfaces", "--listen-address=198.19.0.2", "--except-interface=lo", "--address=/outside.example/198.18.0.99",
            "--local-ttl=42", "--pid-file=" + Path.Combine(env.Directory, "dnsmasq.pid"), "--user=root");
        for (int i = 0; i < 40 && !client.TryExec(TimeSpan.FromSeconds(5), "dig", "+tries=1", "+time=1", "@" + DnsAddress, "outside.example")
                 .Stdout.Contains("198.18.0.99", StringComparison.Ordinal); i++)
            Thread.Sleep(250);

        Dig.Answer udp = Dig.Query(client, DnsAddress, "OutSide.Example", "A");
        Dig.Answer tcp = Dig.Query(client, DnsAddress, "outside.example", "A", "+tcp");
        Assert.Equal("NOERROR", udp.Status);
        // The question's case and the upstream's TTL come back as the upstream wrote them.
        Assert.Equal(["OutSide.Example. 42 IN A 198.18.0.99"], udp.Records);
        Assert.Equal(["outside.example. 42 IN A 198.18.0.99"], tcp.Records);
        Assert.True(env.Daemon.Counter("dns-service/default/upstream-answered") >= 2);
        // Table names are still the switch's own.
        Assert.Equal(["web.cluster.local. 60 IN A 198.18.0.20"], Dig.Query(client, DnsAddress, "web.cluster.local").Records);

        Sh.Run("kill", "-TERM", dnsmasq.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(dnsmasq.WaitForExit(5000));
        AssertStatusAtOnce(client, "outside.example", "SERVFAIL");
        Assert.True(env.Daemon.Counter("dns-service/default/upstream-failed") >= 2);
    }

    /// <summary>
    /// Two tenants on VLANs 10 and 20, each with its own DNS address and its own upstream (two
    /// dnsmasq that answer the same name differently): each client gets its own tenant's answer.
    /// </summary>
    [Fact]
    public void TwoTenants_EachMissGoesToItsOwnUpstreamOnly()
    {
        Privileges.RequireRoot();
        using var upstreamA = new NetNamespace("upa");
        using var upstreamB = new NetNamespace("upb");
        using var linkA = new VethPair();
        using var linkB = new VethPair();
        Sh.Run("ip", "addr", "add", "198.19.0.1/30", "dev", linkA.SwitchSide);
        Sh.Run("ip", "addr", "add", "198.19.0.5/30", "dev", linkB.SwitchSide);
        upstreamA.Adopt(linkA.HostSide, "eth0", "198.19.0.2/30");
        upstreamB.Adopt(linkB.HostSide, "eth0", "198.19.0.6/30");
        string config = Path.Combine(Path.GetTempPath(), $"vsit-tenants-{Environment.ProcessId}.conf");
        File.WriteAllText(config, """
            [tenant blue]
            vlans = 10
            dns-address = 198.18.10.250
            dns-upstream = 198.19.0.2

            [tenant green]
            vlans = 20
            dns-address = 198.18.20.250
            dns-upstream = 198.19.0.6
            """);
        try
        {
            using var env = new SwitchedHosts("", "", ["02:00:00:00:10:0a", "02:00:00:00:20:0a"], [",vlan=10", ",vlan=20"],
                "--config", config, "--table-vlans", "1");
            foreach (var (ns, ip, answer) in new[] { (upstreamA, "198.19.0.2", "198.18.0.10"), (upstreamB, "198.19.0.6", "198.18.0.20") })
            {
                env.Start(ns, $"dnsmasq-{ip}.log", "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces",
                    "--listen-address=" + ip, "--except-interface=lo", "--address=/outside.example/" + answer,
                    "--pid-file=" + Path.Combine(env.Directory, $"dnsmasq-{ip}.pid"), "--user=root");
            }
            NetNamespace blue = env.Hosts[0], green = env.Hosts[1];
            blue.Exec("ip", "addr", "add", "198.18.10.10/24", "dev", "eth0");
            green.Exec("ip", "addr", "add", "198.18.20.10/24", "dev", "eth0");

            string Resolve(NetNamespace host, string server)
            {
                for (int i = 0; i < 40; i++)
                {
                    Dig.Answer a = Dig.Query(host, server, "outside.example");
                    if (a.Records.Count > 0) return a.Records[0];
                    Thread.Sleep(250);
                }
                return "";
            }
            Assert.EndsWith("IN A 198.18.0.10", Resolve(blue, "198.18.10.250"));
            Assert.EndsWith("IN A 198.18.0.20", Resolve(green, "198.18.20.250"));
            Assert.True(env.Daemon.Counter("dns-service/blue/upstream-answered") >= 1);
            Assert.True(env.Daemon.Counter("dns-service/green/upstream-answered") >= 1);
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>
    /// A host floods the DNS address with TCP connections (far over the per-client cap) and with
    /// misses (no upstream: REFUSED); meanwhile two other hosts keep pinging each other through the
    /// switch, and the DNS address keeps answering table names from the datapath.
    /// </summary>
    [Fact]
    public void FloodOfTcpConnectionsAndMisses_DatapathKeepsForwarding()
    {
        Privileges.RequireRoot();
        using var env = new SwitchedHosts(Hosts(), "", ["02:00:00:00:00:0a", "02:00:00:00:00:0b", "02:00:00:00:00:0c"],
            "--zone", "cluster.local", "--dns-address", DnsAddress);
        for (int i = 0; i < 3; i++) env.Hosts[i].Exec("ip", "addr", "add", $"198.18.0.{10 + i}/24", "dev", "eth0");
        NetNamespace flooder = env.Hosts[0];
        Assert.Contains("1 received", env.Hosts[1].Exec("ping", "-c", "1", "-W", "2", "198.18.0.12"));

        using var stop = new CancellationTokenSource();
        var flood = new Thread(() => flooder.Inside(() =>
        {
            var open = new List<System.Net.Sockets.Socket>();
            var udp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            var target = new System.Net.IPEndPoint(System.Net.IPAddress.Parse(DnsAddress), 53);
            byte[] miss = MissQuery();
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    for (int i = 0; i < 200; i++) udp.SendTo(miss, target);
                    if (open.Count < 300)
                    {
                        var tcp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                        try
                        {
                            tcp.Connect(target);
                        }
                        catch (System.Net.Sockets.SocketException)
                        {
                            // Refused or reset: the cap at work.
                        }
                        open.Add(tcp);
                    }
                }
            }
            finally
            {
                foreach (var s in open) s.Dispose();
                udp.Dispose();
            }
            return 0;
        }));
        flood.Start();

        string ping = env.Hosts[1].TryExec(TimeSpan.FromSeconds(30), "ping", "-c", "50", "-i", "0.05", "-W", "2", "198.18.0.12").Stdout;
        Dig.Answer table = Dig.Query(env.Hosts[2], DnsAddress, "web.cluster.local");
        stop.Cancel();
        Assert.True(flood.Join(TimeSpan.FromSeconds(30)), "the flood did not stop");

        Assert.Contains("50 received", ping);
        Assert.Equal(["web.cluster.local. 60 IN A 198.18.0.20"], table.Records);
        Assert.True(env.Daemon.Counter("dns-service/default/tcp-connections-refused") > 0);
        Assert.True(env.Daemon.Counter("dns-service/default/refused") > 1000);
    }

    // The DNS address answers name with status over UDP and over TCP, both within 2 s: never the
    // silence a stub resolver waits out.
    private static void AssertStatusAtOnce(NetNamespace client, string name, string status)
    {
        var timer = Stopwatch.StartNew();
        Assert.Equal(status, Dig.Query(client, DnsAddress, name, "A").Status);
        Assert.Equal(status, Dig.Query(client, DnsAddress, name, "A", "+tcp").Status);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"two {status} answers took {timer.Elapsed}");
    }

    // A query for a name outside the tables, ID 0x4242.
    private static byte[] MissQuery()
    {
        var q = new List<byte> { 0x42, 0x42, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (string label in new[] { "www", "example", "org" })
        {
            q.Add((byte)label.Length);
            q.AddRange(Encoding.ASCII.GetBytes(label));
        }
        q.AddRange(new byte[] { 0, 0, 1, 0, 1 });
        return [.. q];
    }
}
