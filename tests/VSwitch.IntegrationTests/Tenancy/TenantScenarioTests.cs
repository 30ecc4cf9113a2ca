using System.Text.Json;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Tenancy;

/// <summary>
/// Two tenants on one vswitchd, started from a config file with two <c>[tenant NAME]</c> sections:
/// blue on VLAN 10 and green on VLAN 20, with the same address plan (198.18.0.0/24, the hosts
/// themselves both 198.18.0.2, a DHCP scope each on the same subnet) and different tables. Each
/// host resolves (dig), ARPs (arping) and takes a DHCP lease (busybox udhcpc) and sees only its
/// own tenant's answers: the other tenant's MACs, TTL, leases and names never reach it. An edit
/// through <c>vswitchctl --tenant</c> answers in that tenant alone.
/// </summary>
public class TenantScenarioTests
{
    public enum Attachment
    {
        /// <summary>Both tenants reach the switch over one AF_PACKET trunk carrying VLANs 10 and 20.</summary>
        /// <remarks>The trunk's other end is a second vswitchd (no tables) with an access port per
        /// host, standing in for the top-of-rack switch. A VLAN sub-interface in each host
        /// (<c>ip link add ... type vlan</c>) would be simpler, but needs the kernel's 802.1Q
        /// module, which the CI machines' kernel does not have; tags pushed and stripped by
        /// vswitchd need nothing of the kernel but a veth.</remarks>
        Trunk,

        /// <summary>Each host's veth is an untagged AF_PACKET access port of the switch on its tenant's VLAN.</summary>
        Access,
    }

    private sealed record TenantHost(string Tenant, ushort Vlan, string Mac, string WebMac, string DnsMac, string Lease, int Ttl, string Domain, string OwnName, string OtherName);

    private static readonly TenantHost Blue = new("blue", 10, "02:00:00:00:0a:02", "02:00:00:00:0a:20", "02:00:00:00:0a:53", "198.18.0.102", 30, "blue.corp", "only-blue.corp", "only-green.corp");
    private static readonly TenantHost Green = new("green", 20, "02:00:00:00:0b:02", "02:00:00:00:0b:20", "02:00:00:00:0b:53", "198.18.0.103", 40, "green.corp", "only-green.corp", "only-blue.corp");

    // Each tenant's tables. The same names and addresses, different MACs and TTLs; a name only one
    // tenant has; and a decoy lease for the other tenant's host, which that host must never get.
    private static string HostsOf(TenantHost t) => $"""
        198.18.0.20  web.corp
        198.18.0.53  ns.corp
        {(t == Blue ? "198.18.0.21" : "198.18.0.22")}  db.corp
        198.18.0.30  {t.OwnName}

        """;

    private static string EthersOf(TenantHost t, TenantHost other) => $"""
        {t.WebMac} 198.18.0.20
        {t.DnsMac} 198.18.0.53
        {t.Mac} {t.Lease}
        {other.Mac} 198.18.0.{(t == Blue ? 199 : 198)}

        """;

    [Theory]
    [InlineData(Attachment.Trunk)]
    [InlineData(Attachment.Access)]
    public void TwoTenants_SameSubnet_EachResolvesArpsAndLeasesFromItsOwnTables(Attachment attachment)
    {
        Privileges.RequireRoot();
        using var env = new TwoTenants(attachment);

        foreach ((TenantHost t, NetNamespace host, string dev) in env.Hosts)
        {
            string arping = host.TryExec(TimeSpan.FromSeconds(20), "arping", "-c", "2", "-w", "5", "-I", dev, "198.18.0.20").Stdout;
            Assert.Contains(t.WebMac, arping, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Other(t).WebMac, arping, StringComparison.OrdinalIgnoreCase);

            Assert.Equal([$"web.corp. {t.Ttl} IN A 198.18.0.20"], Dig.Query(host, "198.18.0.53", "web.corp").Records);
            Assert.Equal([$"db.corp. {t.Ttl} IN A {(t == Blue ? "198.18.0.21" : "198.18.0.22")}"], Dig.Query(host, "198.18.0.53", "db.corp").Records);
            Assert.Equal([$"{t.OwnName}. {t.Ttl} IN A 198.18.0.30"], Dig.Query(host, "198.18.0.53", t.OwnName).Records);
            // The other tenant's name does not exist here: this tenant's zone says so.
            Assert.Equal("NXDOMAIN", Dig.Query(host, "198.18.0.53", t.OtherName).Status);

            Dictionary<string, string> lease = env.Lease(t, host, dev);
            Assert.Equal(t.Lease, lease.GetValueOrDefault("ip"));
            Assert.Equal(t.Domain, lease.GetValueOrDefault("domain"));
            Assert.Equal(("198.18.0.1", "198.18.0.53", "255.255.255.0"),
                (lease.GetValueOrDefault("router"), lease.GetValueOrDefault("dns"), lease.GetValueOrDefault("subnet")));
        }

        // What each tenant answered is counted as that tenant's.
        using (JsonDocument tenants = env.Daemon.CtlJson("tenants"))
        {
            foreach (JsonElement t in tenants.RootElement.GetProperty("tenants").EnumerateArray())
            {
                string name = t.GetProperty("name").GetString()!;
                if (name == "default")
                {
                    Assert.Equal(0, t.GetProperty("dnsReplied").GetInt64());
                    continue;
                }
                Assert.Equal(4, t.GetProperty("dnsReplied").GetInt64());
                Assert.True(t.GetProperty("arpReplied").GetInt64() >= 2, $"{name}: {t}");
                Assert.True(t.GetProperty("dhcpReplied").GetInt64() >= 2, $"{name}: {t}");
                Assert.Equal(4, t.GetProperty("hostsEntries").GetInt32());
            }
        }
        foreach (string tenant in new[] { "blue", "green" })
        {
            Assert.Equal(3, env.Daemon.Counter($"tenant/{tenant}/peephole/dns/replied"));
            Assert.Equal(1, env.Daemon.Counter($"tenant/{tenant}/peephole/dns/nxdomain"));
        }
    }

    [Fact]
    public void HostsAdd_WithTenant_AnswersInThatTenantOnly_AndSurvivesReload()
    {
        Privileges.RequireRoot();
        using var env = new TwoTenants(Attachment.Access);
        (TenantHost _, NetNamespace blue, string _) = env.Hosts[0];
        (TenantHost _, NetNamespace green, string _) = env.Hosts[1];

        Sh.Result add = env.Daemon.Ctl("--tenant", "green", "hosts", "add", "198.18.0.40", "new.corp");
        Assert.True(add.ExitCode == 0, add.Stderr + add.Stdout);
        Assert.Equal(["new.corp. 40 IN A 198.18.0.40"], Dig.Query(green, "198.18.0.53", "new.corp").Records);
        Assert.Equal("NXDOMAIN", Dig.Query(blue, "198.18.0.53", "new.corp").Status);
        Assert.Contains("new.corp", File.ReadAllText(env.TableFile(Green, "hosts")));
        Assert.DoesNotContain("new.corp", File.ReadAllText(env.TableFile(Blue, "hosts")));

        // A bad line in blue's file: blue keeps its tables, green reloads, and the error names blue's file and line.
        File.AppendAllText(env.TableFile(Blue, "hosts"), "198.18.0.300 broken.corp\n");
        Sh.Result reload = env.Daemon.Ctl("reload");
        Assert.Equal(1, reload.ExitCode);
        Assert.Contains("tenant 'blue'", reload.Stderr, StringComparison.Ordinal);
        Assert.Contains(env.TableFile(Blue, "hosts") + ":5:", reload.Stderr, StringComparison.Ordinal);
        Assert.Equal(["web.corp. 30 IN A 198.18.0.20"], Dig.Query(blue, "198.18.0.53", "web.corp").Records);
        Assert.Equal(["new.corp. 40 IN A 198.18.0.40"], Dig.Query(green, "198.18.0.53", "new.corp").Records);

        Sh.Result unknown = env.Daemon.Ctl("--tenant", "purple", "hosts", "list");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no tenant named 'purple'", unknown.Stderr, StringComparison.Ordinal);
    }

    private static TenantHost Other(TenantHost t) => t == Blue ? Green : Blue;

    /// <summary>vswitchd with the two tenants, and a namespace per tenant on its own veth; everything removed on dispose, also when setup fails.</summary>
    private sealed class TwoTenants : IDisposable
    {
        private readonly List<IDisposable> _owned = [];
        private readonly string _dir;

        public TwoTenants(Attachment attachment)
        {
            _dir = Directory.CreateTempSubdirectory("vsit-tenants-").FullName;
            try
            {
                Setup(attachment);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public DaemonProcess Daemon { get; private set; } = null!;

        /// <summary>Each tenant's host and the interface it talks on.</summary>
        public List<(TenantHost Tenant, NetNamespace Host, string Device)> Hosts { get; } = [];

        public string TableFile(TenantHost t, string kind) => Path.Combine(_dir, $"{t.Tenant}.{kind}");

        private void Setup(Attachment attachment)
        {
            var pairs = new Dictionary<TenantHost, VethPair>();
            foreach (TenantHost t in new[] { Blue, Green })
            {
                File.WriteAllText(TableFile(t, "hosts"), HostsOf(t));
                File.WriteAllText(TableFile(t, "ethers"), EthersOf(t, Other(t)));
                var pair = new VethPair();
                _owned.Add(pair);
                pairs[t] = pair;
            }
            string ports;
            if (attachment == Attachment.Access)
            {
                ports = $"port = afpacket:{pairs[Blue].SwitchSide},vlan={Blue.Vlan}\nport = afpacket:{pairs[Green].SwitchSide},vlan={Green.Vlan}";
            }
            else
            {
                var trunk = new VethPair();
                _owned.Add(trunk);
                Sh.Run("ip", "link", "set", trunk.HostSide, "up");
                ports = $"port = afpacket:{trunk.SwitchSide},trunk=10;20";
                // The access switch: switches only (its default tenant has no tables and answers nothing).
                _accessSwitch = new DaemonProcess(Path.Combine(_dir, "access.sock"),
                    "--port", $"afpacket:{pairs[Blue].SwitchSide},vlan={Blue.Vlan}",
                    "--port", $"afpacket:{pairs[Green].SwitchSide},vlan={Green.Vlan}",
                    "--port", $"afpacket:{trunk.HostSide},trunk=10;20",
                    "--hosts", "none", "--ethers", "none");
            }
            string Section(TenantHost t) => $"""
                [tenant {t.Tenant}]
                vlans = {t.Vlan}
                hosts = {TableFile(t, "hosts")}
                ethers = {TableFile(t, "ethers")}
                zone = corp
                dns-ttl = {t.Ttl}
                dhcp = 198.18.0.0/24,router=198.18.0.1,dns=198.18.0.53,domain={t.Domain},vlan={t.Vlan}

                """;
            string config = Path.Combine(_dir, "vswitchd.conf");
            File.WriteAllText(config, $"""
                # Two tenants on one switch, the same subnet in both.
                {ports}
                hosts = none
                ethers = none

                {Section(Blue)}
                {Section(Green)}
                """);
            Daemon = new DaemonProcess(Path.Combine(_dir, "vswitchd.sock"), "--config", config);

            foreach (TenantHost t in new[] { Blue, Green })
            {
                var host = new NetNamespace(t.Tenant);
                _owned.Add(host);
                host.Adopt(pairs[t].HostSide, "eth0", "198.18.0.2/24", mac: t.Mac);
                Hosts.Add((t, host, "eth0"));
            }
        }

        /// <summary>Runs busybox udhcpc once on <paramref name="dev"/> and returns what its script was told (ip, router, dns, domain, ...).</summary>
        public Dictionary<string, string> Lease(TenantHost t, NetNamespace host, string dev)
        {
            string output = Path.Combine(_dir, $"lease-{t.Tenant}.env");
            string script = Path.Combine(_dir, "udhcpc.sh");
            // udhcpc calls its script with the event as $1 and the lease in the environment; the
            // interface is left as it is, so the test reads the lease without changing the host.
            File.WriteAllText(script, $"""
                #!/bin/sh
                [ "$1" = bound ] || exit 0
                for v in ip subnet router dns domain serverid lease; do eval "echo $v=\$$v"; done > "$LEASE_FILE"

                """);
            Sh.Run("chmod", "755", script);
            Sh.Result r = host.TryExec(TimeSpan.FromSeconds(30), "env", $"LEASE_FILE={output}", "busybox", "udhcpc", "-i", dev, "-n", "-q", "-t", "3", "-T", "2", "-s", script);
            Assert.True(r.ExitCode == 0 && File.Exists(output), $"udhcpc on {t.Tenant} exited {r.ExitCode}: {r.Stderr}{r.Stdout}");
            return File.ReadAllLines(output).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
        }

        private DaemonProcess? _accessSwitch;

        public void Dispose()
        {
            Daemon?.Dispose();
            _accessSwitch?.Dispose();
            foreach (IDisposable d in Enumerable.Reverse(_owned)) d.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
