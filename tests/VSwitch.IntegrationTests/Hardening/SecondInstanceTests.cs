using System.Globalization;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Hardening;

/// <summary>A second vswitchd for the same control socket, or for an interface another one holds,
/// refuses at once, naming the first, and creates or touches no port (issue 16, "one instance").</summary>
public class SecondInstanceTests
{
    [Fact]
    public void SecondDaemon_SameControlSocket_RefusedBeforeItCreatesItsTap()
    {
        Privileges.RequireRoot();
        string dir = Directory.CreateTempSubdirectory("vsit-instance-").FullName;
        string socket = Path.Combine(dir, "ctl.sock");
        string tap = $"vsi{Environment.ProcessId % 10000}";
        var link = new VethPair();
        try
        {
            using var first = new DaemonProcess(socket, "--port", "afpacket:" + link.SwitchSide, "--hosts", "none", "--ethers", "none");

            Sh.Result second = Sh.Try(TimeSpan.FromSeconds(30), "dotnet", DaemonProcess.Built("vswitchd"),
                "--port", "tap:" + tap, "--hosts", "none", "--ethers", "none", "--control", socket);

            Assert.Equal(1, second.ExitCode);
            string said = second.Stdout + second.Stderr;
            Assert.Contains($"another vswitchd (pid {first.Pid.ToString(CultureInfo.InvariantCulture)})", said, StringComparison.Ordinal);
            // It stopped before opening anything (it used to open its ports, then fail on the socket).
            Assert.DoesNotContain($"Port {tap} opened", said, StringComparison.Ordinal);
            Assert.False(Sh.Try("ip", "link", "show", "dev", tap).ExitCode == 0, $"the refused daemon left {tap} behind:\n{said}");
            // The first one still answers on its socket.
            Assert.True(first.Ctl("ports").ExitCode == 0, first.Log);
        }
        finally
        {
            Sh.Try("ip", "link", "del", tap);
            link.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SecondDaemon_OtherSocketSameInterface_RefusedBeforeItTouchesAnyPort_NoDuplicateFrames()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-instance-");
        string tap = $"vsi{Environment.ProcessId % 10000}b";
        env.OnDispose(() => Sh.Try("ip", "link", "del", tap));
        NetNamespace a = env.Own(new NetNamespace("ia")), b = env.Own(new NetNamespace("ib"));
        VethPair la = env.Own(new VethPair()), lb = env.Own(new VethPair());
        DaemonProcess first = env.Own(new DaemonProcess(env.Path("first.sock"),
            "--port", "afpacket:" + la.SwitchSide, "--port", "afpacket:" + lb.SwitchSide, "--hosts", "none", "--ethers", "none"));
        a.Adopt(la.HostSide, "eth0", "198.18.9.1/24");
        b.Adopt(lb.HostSide, "eth0", "198.18.9.2/24");

        Sh.Result second = Sh.Try(TimeSpan.FromSeconds(30), "dotnet", DaemonProcess.Built("vswitchd"),
            "--port", "tap:" + tap, "--port", "afpacket:" + lb.SwitchSide, "--hosts", "none", "--ethers", "none",
            "--control", env.Path("second.sock"), "--port-state", env.Path("second.ports"));

        Assert.Equal(1, second.ExitCode);
        string said = second.Stdout + second.Stderr;
        Assert.Contains($"another vswitchd (pid {first.Pid.ToString(CultureInfo.InvariantCulture)}) holds interface {lb.SwitchSide}", said, StringComparison.Ordinal);
        Assert.DoesNotContain(" opened (", said, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped", said, StringComparison.Ordinal);
        Assert.NotEqual(0, Sh.Try("ip", "link", "show", "dev", tap).ExitCode);
        Assert.False(File.Exists(env.Path("second.ports")), "the refused daemon wrote nothing");
        // One switch on the wire: every echo answered once (ping marks a duplicate "DUP!").
        string ping = a.Exec("ping", "-c", "5", "-i", "0.2", "-W", "2", "198.18.9.2");
        Assert.Contains("5 received", ping, StringComparison.Ordinal);
        Assert.DoesNotContain("DUP!", ping, StringComparison.Ordinal);
        Assert.Equal(0, first.Ctl("ports").ExitCode);
    }
}
