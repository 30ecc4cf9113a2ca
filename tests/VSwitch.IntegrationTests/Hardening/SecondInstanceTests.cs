using System.Globalization;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Hardening;

/// <summary>A second vswitchd for the same control socket refuses at once, naming the first, and
/// creates no port (issue 16, "one instance": the control-socket half).</summary>
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
}
