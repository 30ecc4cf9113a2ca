using System.Text.RegularExpressions;
using VSwitch.Daemon.Ports.AfPacket;
using VSwitch.Daemon.Ports.Tap;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Ports;

/// <summary>
/// Ping through an idle switch must not wait for ring timers or idle sleeps. The round-trip
/// times are reported next to a plain veth pair (no switch); they are figures, not thresholds.
/// </summary>
public partial class PingLatencyTests
{
    [Fact]
    public void PingRtt_IdleSwitch_ReportedForEachPortType()
    {
        Privileges.RequireRoot();
        string direct = DirectVeth();
        string tap = ThroughSwitch(useTap: true);
        string veth = ThroughSwitch(useTap: false);
        string report = $"ping rtt min/avg/max/mdev (ms): plain veth {direct}; switch with TAP ports {tap}; switch with AF_PACKET ports {veth}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "vswitch-ping-rtt.txt"), report + "\n");
    }

    private static string DirectVeth()
    {
        using var h1 = new NetNamespace("d1");
        using var h2 = new NetNamespace("d2");
        using var pair = new VethPair();
        h1.Adopt(pair.SwitchSide, "eth0", "198.18.0.1/24");
        h2.Adopt(pair.HostSide, "eth0", "198.18.0.2/24");
        return Ping(h1);
    }

    private static string ThroughSwitch(bool useTap)
    {
        using var h1 = new NetNamespace("p1");
        using var h2 = new NetNamespace("p2");
        using var v1 = new VethPair();
        using var v2 = new VethPair();
        using var sw = new InProcessSwitch();
        string a = $"vsit{Environment.ProcessId % 100000}r", b = $"vsit{Environment.ProcessId % 100000}s";
        if (useTap)
        {
            sw.Add(new TapPort(a, sw.Pool));
            sw.Add(new TapPort(b, sw.Pool));
        }
        else
        {
            sw.Add(new AfPacketPort(v1.SwitchSide, sw.Pool));
            sw.Add(new AfPacketPort(v2.SwitchSide, sw.Pool));
        }
        sw.Start();
        h1.Adopt(useTap ? a : v1.HostSide, "eth0", "198.18.0.1/24");
        h2.Adopt(useTap ? b : v2.HostSide, "eth0", "198.18.0.2/24");
        return Ping(h1);
    }

    // 200 pings 20 ms apart: the switch goes idle between them, which is the case being measured.
    private static string Ping(NetNamespace from)
    {
        from.Exec("ping", "-c", "3", "-W", "2", "198.18.0.2");
        string output = from.Exec("ping", "-c", "200", "-i", "0.02", "-W", "2", "198.18.0.2");
        Assert.Contains("200 received", output);
        return RttLine().Match(output).Groups[1].Value;
    }

    [GeneratedRegex(@"= ([0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+) ms")]
    private static partial Regex RttLine();
}
