using System.Diagnostics;
using System.Text.Json;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Daemon;

/// <summary>vswitchctl trace (issue 18) against a running daemon with hosts in namespaces: a trace for each
/// outcome (answered, forwarded, flooded, drops), each then compared with what the switch really does with
/// the same frame sent from the host; and --live tracing real frames as they pass.</summary>
public class TraceTests
{
    private const string A = "02:00:00:00:17:01", B = "02:00:00:00:17:02";

    [Fact]
    public void TraceOfEachOutcome_MatchesWhatTheSwitchThenDoes()
    {
        Privileges.RequireRoot();
        using var env = new SwitchedHosts("198.18.17.2 b.lab", $"{B} 198.18.17.2", [A, B]);
        List<string> ports = PortNames(env.Daemon);
        string pa = ports[0], pb = ports[1];
        env.Hosts[0].Exec("ip", "addr", "add", "198.18.17.1/24", "dev", "eth0");
        env.Hosts[1].Exec("ip", "addr", "add", "198.18.17.2/24", "dev", "eth0");

        // answered: the trace's reply is what arping then gets.
        JsonElement arp = Trace(env.Daemon, pa, "eth", $"src={A}", "arp", "tpa=198.18.17.2", "spa=198.18.17.1");
        Assert.Equal("answered", arp.GetProperty("verdict").GetString());
        Assert.Contains($"is-at {B}", arp.GetProperty("replyDecoded").GetString(), StringComparison.Ordinal);
        long replied = env.Daemon.Counter("peephole/arp/replied");
        Assert.Contains($"FROM {B.ToUpperInvariant()}", env.Hosts[0].Exec("arping", "-c", "1", "-w", "2", "-I", "eth0", "198.18.17.2").ToUpperInvariant());
        Assert.True(env.Daemon.Counter("peephole/arp/replied") > replied);

        // flooded, then forwarded once the switch has learned B's port from B's own traffic.
        JsonElement flood = Trace(env.Daemon, pa, "eth", $"src={A}", "dst=02:00:00:00:17:99", "ipv4", "src=198.18.17.1", "dst=198.18.17.9", "icmp");
        Assert.Equal("flooded", flood.GetProperty("verdict").GetString());
        Assert.Contains(flood.GetProperty("egress").EnumerateArray(), e => e.GetProperty("port").GetString() == pb);
        Assert.Contains("2 received", env.Hosts[0].Exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.17.2"));
        JsonElement forward = Trace(env.Daemon, pa, "eth", $"src={A}", $"dst={B}", "ipv4", "src=198.18.17.1", "dst=198.18.17.2", "icmp");
        Assert.Equal("forwarded", forward.GetProperty("verdict").GetString());
        Assert.Equal(pb, forward.GetProperty("egress")[0].GetProperty("port").GetString());

        // Drops: each traced, then sent for real from host A's eth0, and counted under the reason the trace gave.
        string[][] drops =
        [
            ["eth", $"src={A}", $"dst={B}", "vlan=10", "ipv4", "icmp"],
            ["eth", "src=01:00:5e:00:00:01", $"dst={B}", "ipv4", "icmp"],
            ["eth", $"src={B}", $"dst={B}", "ipv4", "icmp"],
        ];
        string[] reasons = ["tagged-on-access", "multicast-source", "same-port"];
        for (int i = 0; i < drops.Length; i++)
        {
            // same-port: B's MAC is at B's port, so B's own frame to itself comes back in on B's port.
            string port = reasons[i] == "same-port" ? pb : pa;
            NetNamespace host = reasons[i] == "same-port" ? env.Hosts[1] : env.Hosts[0];
            JsonElement t = Trace(env.Daemon, port, drops[i]);
            Assert.Equal("dropped", t.GetProperty("verdict").GetString());
            Assert.Equal(reasons[i], t.GetProperty("dropReason").GetString());
            string counter = $"port/{port}/drop/{reasons[i]}";
            long before = env.Daemon.Counter(counter);
            byte[] frame = Convert.FromHexString(t.GetProperty("frame").GetString()!);
            using (PacketSocket socket = host.Inside(() => PacketSocket.Open("eth0", 0x0003)))
                socket.Send(frame);
            WaitFor(() => env.Daemon.Counter(counter) == before + 1, counter);
        }
    }

    [Fact]
    public void Live_TracesRealFramesAsTheyPass()
    {
        Privileges.RequireRoot();
        using var env = new SwitchedHosts("", $"{B} 198.18.17.2", [A, B]);
        string pa = PortNames(env.Daemon)[0];
        env.Hosts[0].Exec("ip", "addr", "add", "198.18.17.1/24", "dev", "eth0");
        env.Hosts[1].Exec("ip", "addr", "add", "198.18.17.2/24", "dev", "eth0");
        // Quiet host A's IPv6 so the next frames are the ARP and the pings.
        env.Hosts[0].Exec("sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { DaemonProcess.Built("vswitchctl"), "--control", env.Daemon.ControlPath, "--json", "trace", pa, "--live", "2" })
            psi.ArgumentList.Add(a);
        using Process live = Process.Start(psi)!;
        Thread.Sleep(1500);
        env.Hosts[0].TryExec("ping", "-c", "3", "-i", "0.3", "-W", "1", "198.18.17.2");
        Assert.True(live.WaitForExit(15_000), "the live trace did not end after two frames");
        string[] lines = live.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using JsonDocument first = JsonDocument.Parse(lines[0]);
        using JsonDocument second = JsonDocument.Parse(lines[1]);
        // The ARP request for B, answered by the peephole, then the first echo request, forwarded to B's port.
        Assert.Equal(("answered", "answered"), (first.RootElement.GetProperty("verdict").GetString(), first.RootElement.GetProperty("actual").GetString()));
        Assert.StartsWith("forwarded", second.RootElement.GetProperty("actual").GetString(), StringComparison.Ordinal);
        Assert.Contains("EchoRequest", second.RootElement.GetProperty("decoded").GetString(), StringComparison.Ordinal);
    }

    private static JsonElement Trace(DaemonProcess daemon, string port, params string[] frame)
    {
        using JsonDocument doc = daemon.CtlJson(["trace", port, .. frame]);
        return doc.RootElement.Clone();
    }

    private static List<string> PortNames(DaemonProcess daemon)
    {
        using JsonDocument ports = daemon.CtlJson("ports");
        return ports.RootElement.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "timed out waiting for " + what);
            Thread.Sleep(50);
        }
    }
}
