using VSwitch.Daemon.Ports.Pcap;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Ports;

public class PcapLivePortTests
{
    [Fact]
    public void Ping_TwoHostsOnLibpcapPorts_Answered()
    {
        Privileges.RequireRoot();
        using var h1 = new NetNamespace("c1");
        using var h2 = new NetNamespace("c2");
        using var v1 = new VethPair();
        using var v2 = new VethPair();
        using var sw = new InProcessSwitch();
        sw.Add(new PcapLivePort(v1.SwitchSide, sw.Pool));
        sw.Add(new PcapLivePort(v2.SwitchSide, sw.Pool));
        sw.Start();
        h1.Adopt(v1.HostSide, "eth0", "198.18.0.1/24");
        h2.Adopt(v2.HostSide, "eth0", "198.18.0.2/24");
        string output = h1.Exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.18.0.2");
        Assert.Contains("3 received", output);
    }
}
