using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Hardening;

/// <summary>
/// Restarts lose nothing (issue 16): a container on a TAP port (its device moved into the
/// container's namespace and renamed there) and one on an AF_PACKET port keep their interfaces,
/// addresses and routes across stop/start and SIGKILL/start, and traffic flows again within a
/// second of the new daemon being ready; no device is left behind; ports added and deleted at run
/// time are the same after a restart.
/// </summary>
/// <remarks>Every namespace, link, process and file a test makes is removed on dispose, also when
/// it fails. The outage is measured and reported, not asserted as a timing (but the issue's
/// "within a second of ready", which is a behaviour: the device is re-attached, not re-created).</remarks>
public partial class RestartTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGKILL")]
    public void ContainersOnTapAndAfPacket_KeepInterfacesAcrossARestart_TrafficFlowsAgainAtOnce(string how)
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-restart-");
        string tap = $"vsr{Environment.ProcessId % 10000}{how[3]}";
        env.OnDispose(() => Sh.Try("ip", "link", "del", tap));
        NetNamespace a = env.Own(new NetNamespace("ra"));
        NetNamespace b = env.Own(new NetNamespace("rb"));
        VethPair link = env.Own(new VethPair());
        string[] args = ["--port", "tap:" + tap, "--port", "afpacket:" + link.SwitchSide, "--hosts", "none", "--ethers", "none",
            "--port-state", env.Path("ports")];
        DaemonProcess first = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
        a.Adopt(tap, "eth0", "198.18.7.1/24", "2001:db8:7::1/64");
        b.Adopt(link.HostSide, "eth0", "198.18.7.2/24", "2001:db8:7::2/64");
        a.Exec("ip", "route", "add", "198.18.70.0/24", "via", "198.18.7.2");
        Assert.Contains("1 received", a.Exec("ping", "-c", "1", "-W", "2", "198.18.7.2"));
        // Supervision records where the device went (once a second): the next daemon looks there.
        PingReplies.Poll(() => File.ReadAllText(env.Path("ports")).Contains($" eth0 /run/netns/{a.Name}", StringComparison.Ordinal), "the device's new place to be recorded");

        // Traffic throughout: a pings b twenty times a second, each reply stamped.
        Process stream = env.Start("ip", "netns", "exec", a.Name, "ping", "-D", "-i", "0.05", "-W", "1", "198.18.7.2");
        Thread.Sleep(500);
        double stopped = PingReplies.Now();
        if (how == "SIGKILL") first.Kill();
        else Assert.Equal(0, first.Stop());
        first.Dispose();

        // The container kept its interface, addresses and route while no daemon ran.
        string addresses = a.Exec("ip", "-br", "addr", "show", "dev", "eth0");
        Assert.Contains("198.18.7.1/24", addresses, StringComparison.Ordinal);
        Assert.Contains("2001:db8:7::1/64", addresses, StringComparison.Ordinal);
        Assert.Contains("198.18.70.0/24 via 198.18.7.2", a.Exec("ip", "route"), StringComparison.Ordinal);
        Assert.NotEqual(0, Sh.Try("ip", "link", "show", "dev", tap).ExitCode);

        DaemonProcess second = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
        Thread.Sleep(1500);
        string pings = env.Interrupt(stream);
        // The outage is the longest silence in the stream; it ends when traffic resumed.
        double[] replies = PingReplies.ReplyTimes(pings);
        int gap = Enumerable.Range(1, replies.Length - 1).MaxBy(i => replies[i] - replies[i - 1]);
        double lastBefore = replies[gap - 1], firstBack = replies[gap];
        Assert.True(lastBefore < stopped + 1 && firstBack > stopped, $"the longest silence is not the restart: {lastBefore:F3}-{firstBack:F3}, stopped at {stopped:F3}");
        // Ready: the new daemon's own "running" line (the test's wait for its socket adds polling time).
        double ready = DateTimeOffset.Parse(RunningLine().Match(second.Log).Groups[1].Value, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() / 1000.0;
        Assert.True(firstBack - ready <= 1.0, $"traffic resumed {firstBack - ready:F3} s after ready (more than a second)\n{second.Log}");

        // The same device, not a new one: re-attached in the container's namespace; none left here.
        Assert.Contains("re-attached in /run/netns/" + a.Name, second.Log, StringComparison.Ordinal);
        Assert.NotEqual(0, Sh.Try("ip", "link", "show", "dev", tap).ExitCode);
        Assert.Contains("1 received", a.Exec("ping", "-6", "-c", "1", "-W", "2", "2001:db8:7::2"));
        Assert.Equal(["afpacket:" + link.SwitchSide, "tap:" + tap], Specs(second));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{how}: outage {firstBack - lastBefore:F3} s (longest silence in a 20/s ping stream); first reply {firstBack - ready:F3} s after the new daemon's 'running' line"));
    }

    [Fact]
    public void PortsAddedAndDeletedAtRunTime_SameAfterARestart_AConfigChangeBringsADeletedPortBack()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-restart-");
        VethPair fromConfig = env.Own(new VethPair()), other = env.Own(new VethPair()), added = env.Own(new VethPair());
        string[] args = ["--port", "afpacket:" + fromConfig.SwitchSide, "--port", "afpacket:" + other.SwitchSide,
            "--hosts", "none", "--ethers", "none", "--port-state", env.Path("ports")];
        DaemonProcess daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
        Assert.Equal(0, daemon.Ctl("port", "add", $"afpacket:{added.SwitchSide},vlan=7").ExitCode);
        Assert.Equal(0, daemon.Ctl("port", "del", fromConfig.SwitchSide).ExitCode);
        string[] before = Specs(daemon);
        Assert.Equal(Sorted($"afpacket:{added.SwitchSide},vlan=7", "afpacket:" + other.SwitchSide), before);

        Assert.Equal(0, daemon.Stop());
        daemon.Dispose();
        daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
        Assert.Equal(before, Specs(daemon));
        Assert.Contains($"Port afpacket:{fromConfig.SwitchSide} was deleted at run time", daemon.Log, StringComparison.Ordinal);

        // The config now says something else about that port: it is back.
        Assert.Equal(0, daemon.Stop());
        daemon.Dispose();
        args[1] += ",mtu=1500";
        daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
        Assert.Equal(Sorted($"afpacket:{added.SwitchSide},vlan=7", $"afpacket:{fromConfig.SwitchSide},mtu=1500", "afpacket:" + other.SwitchSide), Specs(daemon));

        // A runtime delete of the added port is kept too.
        Assert.Equal(0, daemon.Ctl("port", "del", added.SwitchSide).ExitCode);
        Assert.Equal(0, daemon.Stop());
        daemon.Dispose();
        daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
        Assert.Equal(Sorted($"afpacket:{fromConfig.SwitchSide},mtu=1500", "afpacket:" + other.SwitchSide), Specs(daemon));
    }

    [Fact]
    public void TapOfAPortNoLongerWanted_DeletedAtStart_ButNotADeviceTheSwitchDidNotCreate()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-restart-");
        string ours = $"vsr{Environment.ProcessId % 10000}o", theirs = $"vsr{Environment.ProcessId % 10000}t";
        env.OnDispose(() => Sh.Try("ip", "link", "del", ours));
        env.OnDispose(() => Sh.Try("ip", "link", "del", theirs));
        Sh.Run("ip", "tuntap", "add", "dev", theirs, "mode", "tap");
        NetNamespace c = env.Own(new NetNamespace("rc"));
        VethPair link = env.Own(new VethPair());
        string[] common = ["--hosts", "none", "--ethers", "none", "--port-state", env.Path("ports")];
        DaemonProcess daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"),
            ["--port", "tap:" + ours, "--port", "tap:" + theirs, "--port", "afpacket:" + link.SwitchSide, .. common]));
        c.Adopt(ours, "eth0", "198.18.8.1/24");
        PingReplies.Poll(() => File.ReadAllText(env.Path("ports")).Contains($"/run/netns/{c.Name}", StringComparison.Ordinal), "the device's new place to be recorded");
        Assert.Equal(0, daemon.Stop());
        daemon.Dispose();
        Assert.Contains("eth0", c.Exec("ip", "-br", "link"), StringComparison.Ordinal);

        // Started without the TAP ports: the one it made (now in the container) goes, the other stays.
        daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), ["--port", "afpacket:" + link.SwitchSide, .. common]));
        Assert.DoesNotContain("eth0", c.Exec("ip", "-br", "link"), StringComparison.Ordinal);
        Assert.Equal(0, Sh.Try("ip", "link", "show", "dev", theirs).ExitCode);
        Assert.Contains($"Deleted the TAP device eth0 of port {ours}", daemon.Log, StringComparison.Ordinal);
        Assert.DoesNotContain($" {ours} ", File.ReadAllText(env.Path("ports")), StringComparison.Ordinal);
    }

    [Fact]
    public void RecordedDevice_Unreachable_PortNotOpened_NoSecondDeviceMade_GoneNamespace_NewDeviceHere()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-restart-");
        string tap = $"vsr{Environment.ProcessId % 10000}u";
        env.OnDispose(() => Sh.Try("ip", "link", "del", tap));
        NetNamespace c = env.Own(new NetNamespace("ru"));
        VethPair link = env.Own(new VethPair());
        string[] args = ["--port", "tap:" + tap, "--port", "afpacket:" + link.SwitchSide, "--hosts", "none", "--ethers", "none",
            "--port-state", env.Path("ports")];
        DaemonProcess daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
        c.Adopt(tap, "eth0", "198.18.8.1/24");
        PingReplies.Poll(() => File.ReadAllText(env.Path("ports")).Contains($"/run/netns/{c.Name}", StringComparison.Ordinal), "the device's new place to be recorded");
        Assert.Equal(0, daemon.Stop());
        daemon.Dispose();

        // Without CAP_SYS_ADMIN the daemon cannot enter the container's namespace: the port stays
        // closed, saying why, and no second device is made beside the container's.
        daemon = env.Own(new DaemonProcess(["setpriv", "--bounding-set=-sys_admin"], env.Path("ctl.sock"), args));
        Assert.Contains($"cannot reach the device it created (eth0 in /run/netns/{c.Name})", daemon.Log, StringComparison.Ordinal);
        Assert.NotEqual(0, Sh.Try("ip", "link", "show", "dev", tap).ExitCode);
        Assert.Contains("198.18.8.1/24", c.Exec("ip", "-br", "addr", "show", "dev", "eth0"), StringComparison.Ordinal);
        Assert.Equal(0, daemon.Stop());
        daemon.Dispose();

        // The container is gone (its namespace, and the device with it): a new device is made here, and the log says so.
        c.Dispose();
        daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
        Assert.Contains($"the device it created before (eth0 in /run/netns/{c.Name}) is gone", daemon.Log, StringComparison.Ordinal);
        Assert.Contains($"created {tap} here", daemon.Log, StringComparison.Ordinal);
        Assert.Equal(0, Sh.Try("ip", "link", "show", "dev", tap).ExitCode);
    }

    [Fact]
    public void PortWhoseInterfaceAppearsAfterTheStart_ListedDown_OpenedOnceItExists()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-restart-");
        string late = $"vsr{Environment.ProcessId % 10000}l", peer = $"vsr{Environment.ProcessId % 10000}p";
        env.OnDispose(() => Sh.Try("ip", "link", "del", late));
        NetNamespace a = env.Own(new NetNamespace("la")), b = env.Own(new NetNamespace("lb"));
        VethPair link = env.Own(new VethPair());
        DaemonProcess daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), "--port", "afpacket:" + link.SwitchSide,
            "--port", "afpacket:" + late, "--hosts", "none", "--ethers", "none", "--port-state", env.Path("ports")));
        Assert.Contains($"Port {late} is kept, down", daemon.Log, StringComparison.Ordinal);
        Assert.Equal("down", State(daemon, late));

        // The interface comes (a container runtime makes its veth after the switch started): supervision opens it.
        Sh.Run("ip", "link", "add", late, "type", "veth", "peer", "name", peer);
        Sh.Run("ip", "link", "set", late, "up");
        a.Adopt(link.HostSide, "eth0", "198.18.14.1/24");
        b.Adopt(peer, "eth0", "198.18.14.2/24");
        PingReplies.Poll(() => State(daemon, late) == "up", "supervision to open the late port", seconds: 10);
        Assert.Contains("2 received", a.Exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.14.2"));
    }

    private static string? State(DaemonProcess daemon, string port)
    {
        using JsonDocument ports = daemon.CtlJson("ports");
        return ports.RootElement.GetProperty("ports").EnumerateArray().Where(p => p.GetProperty("name").GetString() == port)
            .Select(p => p.GetProperty("state").GetString()).FirstOrDefault();
    }

    private static string[] Specs(DaemonProcess daemon)
    {
        using JsonDocument ports = daemon.CtlJson("ports");
        return [.. ports.RootElement.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("spec").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static string[] Sorted(params string[] specs) => [.. specs.Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"^(\S+Z) info: vswitchd running with", RegexOptions.Multiline)]
    private static partial Regex RunningLine();

}
