using VSwitch.Daemon.Ports.AfPacket;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Ports;

public class AfPacketPortTests
{
    [Fact]
    public async Task Ping_TwoHostsOnVethPorts_IPv4AndIPv6Answered()
    {
        Privileges.RequireRoot();
        using var h1 = new NetNamespace("h1");
        using var h2 = new NetNamespace("h2");
        using var v1 = new VethPair();
        using var v2 = new VethPair();
        using var sw = new InProcessSwitch();
        sw.Add(new AfPacketPort(v1.SwitchSide, sw.Pool));
        sw.Add(new AfPacketPort(v2.SwitchSide, sw.Pool));
        sw.Start();
        h1.Adopt(v1.HostSide, "eth0", "198.18.0.1/24", "2001:db8::1/64");
        h2.Adopt(v2.HostSide, "eth0", "198.18.0.2/24", "2001:db8::2/64");

        Sh.Result v4 = h1.TryExec("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.18.0.2");
        Sh.Result v6 = h2.TryExec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "2001:db8::1");
        string counters = string.Join(", ", await sw.Loop.Invoke(l => l.CounterSnapshot().Where(kv => kv.Value != 0).Select(kv => $"{kv.Key}={kv.Value}").ToList()));
        Assert.True(v4.Stdout.Contains("3 received", StringComparison.Ordinal), v4.Stdout + v4.Stderr + counters);
        Assert.True(v6.Stdout.Contains("3 received", StringComparison.Ordinal), v6.Stdout + v6.Stderr + counters);
    }
}
