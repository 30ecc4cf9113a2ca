using VSwitch.Daemon.Ports.AfPacket;
using VSwitch.Daemon.Ports.Tap;
using VSwitch.Datapath.Ports;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Ports;

/// <summary>A host's namespace is deleted while the others talk: its port goes down, the rest keep forwarding.</summary>
public class PortLossTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DeleteNamespace_WhileOthersPing_PortDownOthersUnaffected(bool tap)
    {
        Privileges.RequireRoot();
        using var h2 = new NetNamespace("keep2");
        using var h3 = new NetNamespace("keep3");
        using var sw = new InProcessSwitch();
        var pairs = new List<VethPair>();
        try
        {
            var h1 = new NetNamespace("gone");
            IPort lost = Attach(sw, h1, tap, "198.18.0.1/24", 'l', pairs);
            Attach(sw, h2, tap, "198.18.0.2/24", 'm', pairs);
            Attach(sw, h3, tap, "198.18.0.3/24", 'n', pairs);
            sw.Start();
            Assert.Contains("2 received", h1.Exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.0.2"));

            // Traffic runs between h2 and h3 while h1's namespace (and with it its device) disappears.
            var pinging = Task.Run(() => h2.TryExec(TimeSpan.FromSeconds(30), "ping", "-c", "30", "-i", "0.1", "-W", "1", "198.18.0.3"));
            Thread.Sleep(500);
            h1.Dispose();
            Sh.Result result = await pinging;

            Assert.Contains(" 0% packet loss", result.Stdout);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (lost.IsUp && DateTime.UtcNow < deadline) Thread.Sleep(100);
            Assert.False(lost.IsUp, "the port of the deleted namespace must be down");
        }
        finally
        {
            foreach (VethPair p in pairs) p.Dispose();
        }
    }

    private static IPort Attach(InProcessSwitch sw, NetNamespace host, bool tap, string cidr, char tag, List<VethPair> pairs)
    {
        IPort port;
        if (tap)
        {
            string name = $"vsit{Environment.ProcessId % 100000}{tag}";
            port = new TapPort(name, sw.Pool);
            sw.Add(port);
            host.Adopt(name, "eth0", cidr);
        }
        else
        {
            var pair = new VethPair();
            pairs.Add(pair);
            port = new AfPacketPort(pair.SwitchSide, sw.Pool);
            sw.Add(port);
            host.Adopt(pair.HostSide, "eth0", cidr);
        }
        return port;
    }
}
