using System.Diagnostics;
using System.Net;
using DnsClient;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Daemon;

/// <summary>
/// The core scenario with vswitchd started as a user would: three hosts on the switch ping each
/// other; arping and dig are answered by the switch from its tables (for a DNS server address no
/// process serves); a name outside the tables reaches dnsmasq in the third host; DnsClient gets
/// what dig gets; vswitchctl stats counts what the test did.
/// </summary>
public class DaemonScenarioTests
{
    public enum PortKind { Tap, AfPacket }

    private const string Hosts = """
        198.18.0.100  web.cluster.local web
        2001:db8::100 web.cluster.local
        198.18.0.101  db.cluster.local
        """;

    private const string Ethers = """
        02:00:00:00:00:53 198.18.0.53
        02:00:00:00:00:53 2001:db8::53
        02:00:00:00:00:77 198.18.0.77
        """;

    [Theory]
    [InlineData(PortKind.Tap)]
    [InlineData(PortKind.AfPacket)]
    public void CoreScenario_ThreeHosts_PingArpingDigAnswered(PortKind kind)
    {
        Privileges.RequireRoot();
        using var env = new Environment3(kind, Hosts, Ethers);
        NetNamespace[] h = env.Hosts;

        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                if (i == j) continue;
                Assert.Contains("1 received", h[i].Exec("ping", "-c", "1", "-W", "2", $"198.18.0.{j + 1}"));
                Assert.Contains("1 received", h[i].Exec("ping", "-6", "-c", "1", "-W", "2", $"2001:db8::{j + 1}"));
            }
        }

        string arping = h[0].TryExec(TimeSpan.FromSeconds(20), "arping", "-c", "2", "-w", "5", "-I", "eth0", "198.18.0.77").Stdout;
        Assert.Contains("02:00:00:00:00:77", arping);

        int answered = 0;
        Dig.Answer a = Dig.Query(h[0], "198.18.0.53", "web.cluster.local", "A");
        answered++;
        Assert.Equal(("NOERROR", true), (a.Status, a.Authoritative));
        Assert.Equal(["web.cluster.local. 60 IN A 198.18.0.100"], a.Records);
        Dig.Answer aaaa = Dig.Query(h[1], "2001:db8::53", "web.cluster.local", "AAAA");
        answered++;
        Assert.Equal(["web.cluster.local. 60 IN AAAA 2001:db8::100"], aaaa.Records);
        Dig.Answer ptr = Dig.Query(h[0], "198.18.0.53", "198.18.0.101", "PTR");
        answered++;
        Assert.Equal(["101.0.18.198.in-addr.arpa. 60 IN PTR db.cluster.local."], ptr.Records);
        Dig.Answer nx = Dig.Query(h[1], "198.18.0.53", "nope.cluster.local", "A");
        Assert.Equal("NXDOMAIN", nx.Status);

        // Not in the tables: forwarded unchanged to the server it was sent to, dnsmasq in h3.
        Dig.Answer outside = Dig.Query(h[0], "198.18.0.3", "outside.example", "A");
        Assert.Equal(["outside.example. 0 IN A 198.18.0.99"], outside.Records);

        // An independent client library, run inside h1, gets what dig got.
        var lookup = h[0].Inside(() =>
        {
            var client = new LookupClient(new LookupClientOptions(IPAddress.Parse("198.18.0.53")) { UseCache = false, Retries = 1, Timeout = TimeSpan.FromSeconds(2) });
            return client.Query("web.cluster.local", QueryType.A).Answers.ARecords().Select(r => r.Address.ToString()).ToList();
        });
        answered++;
        Assert.Equal(["198.18.0.100"], lookup);

        Assert.Equal(answered, env.Daemon.Counter("peephole/dns/replied"));
        Assert.Equal(1, env.Daemon.Counter("peephole/dns/nxdomain"));
        Assert.True(env.Daemon.Counter("peephole/arp/replied") >= 2);
    }

    [Fact]
    public void HostsAdd_ResolvesAtOnceAndAfterRestart()
    {
        Privileges.RequireRoot();
        // AF_PACKET ports: their interfaces stay in this namespace, so the restarted daemon finds them
        // again (a TAP device moved into a host's namespace cannot be found by name from here).
        using var env = new Environment3(PortKind.AfPacket, Hosts, Ethers);
        NetNamespace h1 = env.Hosts[0];
        Assert.Equal("NXDOMAIN", Dig.Query(h1, "198.18.0.53", "new.cluster.local").Status);

        Sh.Result add = env.Daemon.Ctl("hosts", "add", "198.18.0.150", "new.cluster.local");
        Assert.True(add.ExitCode == 0, add.Stderr + add.Stdout);
        Assert.Equal(["new.cluster.local. 60 IN A 198.18.0.150"], Dig.Query(h1, "198.18.0.53", "new.cluster.local").Records);
        Assert.Contains("new.cluster.local", File.ReadAllText(env.HostsPath));

        env.Restart();
        Assert.Equal(["new.cluster.local. 60 IN A 198.18.0.150"], Dig.Query(h1, "198.18.0.53", "new.cluster.local").Records);
    }

    [Fact]
    public void PortDelAndAdd_AtRunTime_OtherHostsUndisturbed()
    {
        Privileges.RequireRoot();
        using var env = new Environment3(PortKind.AfPacket, Hosts, Ethers);
        NetNamespace[] h = env.Hosts;
        Assert.Contains("1 received", h[2].Exec("ping", "-c", "1", "-W", "2", "198.18.0.1"));
        string third = env.SwitchSides[2];

        Sh.Result del = env.Daemon.Ctl("port", "del", third);
        Assert.True(del.ExitCode == 0, del.Stderr + del.Stdout);
        Assert.NotEqual(0, h[2].TryExec("ping", "-c", "1", "-W", "1", "198.18.0.1").ExitCode);
        Assert.Contains("3 received", h[0].Exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.18.0.2"));

        Sh.Result add = env.Daemon.Ctl("port", "add", $"afpacket:{third}");
        Assert.True(add.ExitCode == 0, add.Stderr + add.Stdout);
        Assert.Contains("1 received", h[2].Exec("ping", "-c", "1", "-W", "2", "198.18.0.1"));
        Assert.Contains(third, env.Daemon.Ctl("ports").Stdout);
    }

    /// <summary>Three namespaces on the daemon's ports, dnsmasq in the third, tables in a temp dir.</summary>
    private sealed class Environment3 : IDisposable
    {
        private readonly List<IDisposable> _owned = [];
        private string[] _daemonArgs = [];
        private readonly string _dir;
        private Process? _dnsmasq;
        private string[] _tapNames = [];

        public Environment3(PortKind kind, string hosts, string ethers)
        {
            _dir = Directory.CreateTempSubdirectory("vsit-daemon-").FullName;
            try
            {
                Setup(kind, hosts, ethers);
            }
            catch
            {
                // A failed setup must not leave namespaces, links or processes behind.
                Dispose();
                throw;
            }
        }

        private void Setup(PortKind kind, string hosts, string ethers)
        {
            HostsPath = Path.Combine(_dir, "hosts");
            Hosts = [new NetNamespace("a"), new NetNamespace("b"), new NetNamespace("c")];
            File.WriteAllText(HostsPath, hosts + "\n");
            File.WriteAllText(Path.Combine(_dir, "ethers"), ethers + "\n");
            _owned.AddRange(Hosts);
            var ports = new List<string>();
            var hostSides = new List<string>();
            string pid = (System.Environment.ProcessId % 100000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < 3; i++)
            {
                if (kind == PortKind.Tap)
                {
                    string tap = $"vsit{pid}d{i}";
                    ports.Add($"tap:{tap}");
                    hostSides.Add(tap);
                }
                else
                {
                    var pair = new VethPair();
                    _owned.Add(pair);
                    _switchSides.Add(pair.SwitchSide);
                    ports.Add($"afpacket:{pair.SwitchSide}");
                    hostSides.Add(pair.HostSide);
                }
            }
            if (kind == PortKind.Tap) _tapNames = hostSides.ToArray();
            _daemonArgs = [.. ports.SelectMany(p => new[] { "--port", p }), "--hosts", HostsPath, "--ethers", Path.Combine(_dir, "ethers"),
                "--zone", "cluster.local", "--dns-ttl", "60"];
            Daemon = new DaemonProcess(Path.Combine(_dir, "vswitchd.sock"), _daemonArgs);
            for (int i = 0; i < 3; i++)
                Hosts[i].Adopt(hostSides[i], "eth0", $"198.18.0.{i + 1}/24", $"2001:db8::{i + 1}/64");

            var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in new[] { "netns", "exec", Hosts[2].Name, "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                         "--bind-interfaces", "--listen-address=198.18.0.3", "--except-interface=lo", "--address=/outside.example/198.18.0.99",
                         "--local-ttl=0", "--pid-file=" + Path.Combine(_dir, "dnsmasq.pid"), "--user=root" })
                psi.ArgumentList.Add(a);
            _dnsmasq = Process.Start(psi);
            Thread.Sleep(500);
        }

        private readonly List<string> _switchSides = [];

        public NetNamespace[] Hosts { get; private set; } = [];
        /// <summary>The AF_PACKET ports' interfaces, in host order.</summary>
        public List<string> SwitchSides => _switchSides;
        public DaemonProcess Daemon { get; private set; } = null!;
        public string HostsPath { get; private set; } = "";

        public void Restart()
        {
            Assert.Equal(0, Daemon.Stop());
            Daemon.Dispose();
            Daemon = new DaemonProcess(Path.Combine(_dir, "vswitchd.sock"), _daemonArgs);
        }

        public void Dispose()
        {
            if (_dnsmasq is { HasExited: false })
            {
                Sh.Try("kill", "-TERM", _dnsmasq.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                _dnsmasq.WaitForExit(5000);
            }
            _dnsmasq?.Dispose();
            Daemon?.Dispose();
            foreach (IDisposable d in Enumerable.Reverse(_owned)) d.Dispose();
            // TAP devices moved into the hosts' namespaces went with them; one never moved is removed here.
            foreach (string tap in _tapNames) Sh.Try("ip", "link", "del", tap);
            Directory.Delete(_dir, recursive: true);
        }
    }
}
