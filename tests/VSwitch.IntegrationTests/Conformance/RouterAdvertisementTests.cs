using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Conformance;

/// <summary>
/// A real router (radvd in a namespace, kernel forwarding on) whose link-local address fe80::1 is
/// in the ethers table, and a Linux host that takes its default route from the router's
/// advertisements. Before the fix, the host's next unreachability probe for fe80::1 was answered
/// by the switch with R=0, and the kernel dropped the router from its default router list
/// (RFC 4861 7.2.5): the IPv6 default route was gone until the next advertisement.
/// </summary>
public class RouterAdvertisementTests
{
    private const string RouterMac = "02:00:00:00:00:01", HostMac = "02:00:00:00:00:0a";

    private const string Ethers = """
        02:00:00:00:00:01 fe80::1
        02:00:00:00:00:01 2001:db8::1
        """;

    private const string Radvd = """
        interface eth0 {
            AdvSendAdvert on;
            MinRtrAdvInterval 30;
            MaxRtrAdvInterval 60;
            AdvDefaultLifetime 1800;
            prefix 2001:db8::/64 { AdvOnLink on; AdvAutonomous off; };
        };
        """;

    [Fact]
    public void Radvd_HostKeepsDefaultRouteAcrossForcedNudProbes_RouterAnswersItself()
    {
        Privileges.RequireRoot();
        using var env = new SwitchedHosts("", Ethers, [RouterMac, HostMac]);
        NetNamespace router = env.Hosts[0], host = env.Hosts[1];
        router.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
        router.Exec("ip", "addr", "add", "fe80::1/64", "dev", "eth0", "nodad");
        router.Exec("ip", "addr", "add", "2001:db8::1/64", "dev", "eth0", "nodad");
        host.Exec("ip", "addr", "add", "2001:db8::a/64", "dev", "eth0", "nodad");
        string conf = Path.Combine(env.Directory, "radvd.conf");
        File.WriteAllText(conf, Radvd);
        env.Start(router, "radvd.log", "radvd", "-n", "-m", "stderr", "-C", conf, "-p", Path.Combine(env.Directory, "radvd.pid"));

        string route = WaitForDefaultRoute(host, TimeSpan.FromSeconds(30));
        Assert.True(route.Contains("via fe80::1", StringComparison.Ordinal) && route.Contains("proto ra", StringComparison.Ordinal),
            $"no default route from radvd:\n{route}\n{Log(env)}");
        Assert.True(env.Daemon.Counter("peephole/nd/ra-learned") >= 1);

        // Unreachability probes: the host asks fe80::1 by unicast, as it does when the entry goes
        // stale. Each is checked as soon as it is answered, before an advertisement (every 30-60 s)
        // could restore what a wrong answer took away.
        for (int i = 0; i < 3; i++)
        {
            host.Exec("ip", "-6", "neigh", "replace", "fe80::1", "dev", "eth0", "lladdr", RouterMac, "nud", "probe");
            Assert.Contains("1 received", host.Exec("ping", "-6", "-c", "1", "-W", "2", "2001:db8::1"));
            for (int t = 0; t < 40 && !Gateway(host).Contains("REACHABLE", StringComparison.Ordinal); t++) Thread.Sleep(50);
            string after = host.Exec("ip", "-6", "route", "show", "default");
            Assert.True(after.Contains("via fe80::1", StringComparison.Ordinal) && after.Contains("proto ra", StringComparison.Ordinal) &&
                Gateway(host).Contains("router", StringComparison.Ordinal),
                $"after probe {i + 1} the host lost its router:\nroute: {after}\nneighbour: {Gateway(host)}");
        }

        // The router answered its own solicitations (R=1); the switch answered none of them.
        Assert.True(env.Daemon.Counter("peephole/nd/forwarded-router") >= 3, Neighbours(host) + Log(env));
        Assert.Equal(0, env.Daemon.Counter("peephole/nd/replied"));
    }

    private static string Gateway(NetNamespace host) => host.Exec("ip", "-6", "neigh", "show", "fe80::1", "dev", "eth0");

    private static string WaitForDefaultRoute(NetNamespace host, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string route = "";
        while (DateTime.UtcNow < deadline)
        {
            route = host.Exec("ip", "-6", "route", "show", "default");
            if (route.Contains("via", StringComparison.Ordinal)) return route;
            Thread.Sleep(250);
        }
        return route;
    }

    private static string Neighbours(NetNamespace host) => host.Exec("ip", "-6", "neigh", "show", "dev", "eth0");

    private static string Log(SwitchedHosts env)
    {
        string path = Path.Combine(env.Directory, "radvd.log");
        return File.Exists(path) ? "\nradvd:\n" + File.ReadAllText(path) : "";
    }
}
