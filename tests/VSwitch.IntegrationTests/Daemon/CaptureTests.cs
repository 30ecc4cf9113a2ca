using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Daemon;

/// <summary>vswitchctl capture (issue 18) against a running daemon with hosts in namespaces: the pcapng it
/// writes is decoded by tshark (a reader we did not write) with the expected frames in order, the
/// peephole's ARP reply among them, each with its direction; and <c>capture - | tcpdump -nr -</c> works live.</summary>
public class CaptureTests
{
    private const string A = "02:00:00:00:16:01", B = "02:00:00:00:16:02";

    [Fact]
    public void CaptureToFile_TsharkDecodesFramesInOrder_PeepholeReplyIncluded_CtrlCEndsCleanly()
    {
        Privileges.RequireRoot();
        RequireTool("/usr/bin/tshark", "tshark");
        using var env = new SwitchedHosts("198.18.16.2 b.lab", $"{B} 198.18.16.2", [A, B]);
        string port = PortNames(env.Daemon)[0];
        env.Hosts[0].Exec("ip", "addr", "add", "198.18.16.1/24", "dev", "eth0");
        env.Hosts[1].Exec("ip", "addr", "add", "198.18.16.2/24", "dev", "eth0");
        string file = Path.Combine(env.Directory, "a.pcapng");

        using Process capture = Vswitchctl(env.Daemon, "capture", port, file);
        WaitFor(() => File.Exists(file) && new FileInfo(file).Length > 0, "the capture's first blocks");
        Assert.Contains("2 received", env.Hosts[0].Exec("ping", "-c", "2", "-i", "0.3", "-W", "2", "198.18.16.2"));
        Thread.Sleep(300);
        // Ctrl-C, as a person would stop it: the process is ours, ended by its PID.
        Sh.Run("kill", "-INT", capture.Id.ToString(CultureInfo.InvariantCulture));
        Assert.True(capture.WaitForExit(10_000), "vswitchctl capture did not end after SIGINT");
        string stderr = capture.StandardError.ReadToEnd();
        Assert.True(capture.ExitCode == 0, stderr);
        Assert.Contains("stopped by the reader", stderr, StringComparison.Ordinal);
        Assert.Contains(" 0 lost", stderr, StringComparison.Ordinal);

        // direction (1 in, 2 out), ARP opcode and target, ICMP type, source MAC, interface name.
        string[] lines = Sh.Run("tshark", "-r", file, "-Y", "arp or icmp", "-T", "fields", "-E", "separator=|",
            "-e", "frame.packet_flags_direction", "-e", "arp.opcode", "-e", "arp.dst.proto_ipv4", "-e", "icmp.type", "-e", "eth.src",
            "-e", "frame.interface_name").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var frames = lines.Select(l => l.Split('|')).ToList();
        Assert.All(frames, f => Assert.Equal(port, f[5]));
        int request = frames.FindIndex(f => f[1] == "1" && f[2] == "198.18.16.2");
        int reply = frames.FindIndex(f => f[1] == "2" && f[4] == B);
        int echo = frames.FindIndex(f => f[3] == "8");
        int echoReply = frames.FindIndex(f => f[3] == "0");
        string shown = string.Join("\n", lines);
        Assert.True(request >= 0 && reply > request && echo > reply && echoReply > echo, shown);
        Assert.Equal("0x00000001", Direction(frames[request]));
        Assert.Equal("0x00000002", Direction(frames[reply]));   // the peephole's reply, sent on the asker's port
        Assert.Equal("0x00000001", Direction(frames[echo]));
        Assert.Equal("0x00000002", Direction(frames[echoReply]));
        Assert.Equal(2, frames.Count(f => f[3] == "8"));
        Assert.Equal(2, frames.Count(f => f[3] == "0"));
        Assert.True(env.Daemon.Counter("peephole/arp/replied") >= 1);
    }

    [Fact]
    public void CaptureToStdout_PipedIntoTcpdump_Live()
    {
        Privileges.RequireRoot();
        using var env = new SwitchedHosts("", "", [A, B]);
        string port = PortNames(env.Daemon)[0];
        env.Hosts[0].Exec("ip", "addr", "add", "198.18.16.1/24", "dev", "eth0");
        env.Hosts[1].Exec("ip", "addr", "add", "198.18.16.2/24", "dev", "eth0");
        string ctl = $"dotnet {DaemonProcess.Built("vswitchctl")} --control {env.Daemon.ControlPath}";
        // tcpdump quits after two ICMP frames; vswitchctl then finds its stdout closed and ends the capture.
        using Process pipeline = Start("sh", "-c", $"{ctl} capture {port} - | tcpdump -l -nr - -c 2 icmp");
        Thread.Sleep(1500);
        env.Hosts[0].TryExec("ping", "-c", "5", "-i", "0.3", "-W", "1", "198.18.16.2");
        Assert.True(pipeline.WaitForExit(15_000), "the pipeline did not end");
        string stdout = pipeline.StandardOutput.ReadToEnd();
        Assert.Contains("198.18.16.1 > 198.18.16.2: ICMP echo request", stdout, StringComparison.Ordinal);
        Assert.Contains("198.18.16.2 > 198.18.16.1: ICMP echo reply", stdout, StringComparison.Ordinal);
    }

    private static string Direction(string[] frame) => frame[0].StartsWith("0x", StringComparison.Ordinal)
        ? frame[0]
        : "0x" + int.Parse(frame[0], CultureInfo.InvariantCulture).ToString("x8", CultureInfo.InvariantCulture);

    private static List<string> PortNames(DaemonProcess daemon)
    {
        using JsonDocument ports = daemon.CtlJson("ports");
        return ports.RootElement.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
    }

    private static Process Vswitchctl(DaemonProcess daemon, params string[] args) =>
        Start("dotnet", [DaemonProcess.Built("vswitchctl"), "--control", daemon.ControlPath, .. args]);

    private static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "timed out waiting for " + what);
            Thread.Sleep(50);
        }
    }

    private static void RequireTool(string path, string package)
    {
        if (File.Exists(path)) return;
        string why = $"{path} is missing (.ci/run installs {package})";
        if (Privileges.InCi) Assert.Fail(why);
        Assert.Skip(why);
    }
}
