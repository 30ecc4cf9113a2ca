using VSwitch.Daemon.Ports.Pcap;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Ports;

public class PcapLivePortTests
{
    [Fact]
    public async Task Ping_TwoHostsOnLibpcapPorts_Answered()
    {
        Privileges.RequireRoot();
        using var h1 = new NetNamespace("c1");
        using var h2 = new NetNamespace("c2");
        using var v1 = new VethPair();
        using var v2 = new VethPair();
        using var sw = new InProcessSwitch();
        var p1 = new PcapLivePort(v1.SwitchSide, sw.Pool);
        var p2 = new PcapLivePort(v2.SwitchSide, sw.Pool);
        sw.Add(p1);
        sw.Add(p2);
        sw.Start();
        h1.Adopt(v1.HostSide, "eth0", "198.18.0.1/24");
        h2.Adopt(v2.HostSide, "eth0", "198.18.0.2/24");
        Sh.Result ping = h1.TryExec("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.18.0.2");
        // On failure, what the switch saw: its counters and whether libpcap gave up on a port.
        string counters = string.Join(", ", await sw.Loop.Invoke(l => l.CounterSnapshot().Where(kv => kv.Value != 0).Select(kv => $"{kv.Key}={kv.Value}").ToList()));
        Assert.True(ping.Stdout.Contains("3 received", StringComparison.Ordinal),
            $"{ping.Stdout}{ping.Stderr}\nports up: {p1.IsUp}, {p2.IsUp}; {counters}");
    }
}
