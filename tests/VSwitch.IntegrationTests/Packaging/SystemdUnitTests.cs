using System.Text.RegularExpressions;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Packaging;

/// <summary>packaging/vswitchd.service: systemd accepts it as written, and its capabilities are enough:
/// the daemon run with exactly them (setpriv) switches between namespaces and re-attaches a
/// container's TAP after a restart. systemd is not PID 1 on these machines, so the unit is checked
/// with systemd-analyze and its limits are applied by hand.</summary>
public partial class SystemdUnitTests
{
    private static string Unit => Path.Combine(DaemonProcess.RepoRoot(), "packaging", "vswitchd.service");

    [Fact]
    public void Verify_AcceptsTheUnit_WithoutAWarning()
    {
        Require("systemd-analyze", "systemd");
        using var env = new TestEnv("vsit-unit-");
        // verify checks that ExecStart= and ExecReload= name executables: point them at the built ones.
        string text = File.ReadAllText(Unit)
            .Replace("/usr/sbin/vswitchd", Apphost("vswitchd"), StringComparison.Ordinal)
            .Replace("/usr/bin/vswitchctl", Apphost("vswitchctl"), StringComparison.Ordinal);
        string copy = env.Path("vswitchd.service");
        File.WriteAllText(copy, text);
        Sh.Result verify = Sh.Try("systemd-analyze", "verify", copy);
        Assert.True(verify.ExitCode == 0 && verify.Stdout.Length == 0 && verify.Stderr.Length == 0,
            $"systemd-analyze verify: exit {verify.ExitCode}\n{verify.Stdout}{verify.Stderr}");
        Assert.Contains("Type=notify", text, StringComparison.Ordinal);
        Assert.DoesNotContain("PrivateTmp=yes", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DaemonWithExactlyTheUnitsCapabilities_SwitchesAndReattachesAContainersTap()
    {
        Privileges.RequireRoot();
        Require("setpriv", "util-linux");
        string[] caps = [.. Capabilities().Match(File.ReadAllText(Unit)).Groups[1].Value
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Replace("CAP_", "", StringComparison.Ordinal).ToLowerInvariant())];
        Assert.Equal(["net_admin", "net_raw", "sys_admin"], caps);
        string[] wrapper = ["setpriv", "--bounding-set=-all," + string.Join(',', caps.Select(c => "+" + c)), "--no-new-privs"];

        using var env = new TestEnv("vsit-unit-");
        string tap = $"vsu{Environment.ProcessId % 10000}";
        env.OnDispose(() => Sh.Try("ip", "link", "del", tap));
        NetNamespace a = env.Own(new NetNamespace("ua")), b = env.Own(new NetNamespace("ub"));
        VethPair link = env.Own(new VethPair());
        string[] args = ["--port", "tap:" + tap, "--port", "afpacket:" + link.SwitchSide, "--hosts", "none", "--ethers", "none",
            "--port-state", env.Path("ports")];
        DaemonProcess daemon = env.Own(new DaemonProcess(wrapper, env.Path("ctl.sock"), args));
        // The daemon (dotnet, exec'd by setpriv) holds these three and no other: bits 12, 13 and 21.
        Assert.Contains("CapBnd:\t0000000000203000", File.ReadAllText($"/proc/{daemon.Pid}/status"), StringComparison.Ordinal);
        a.Adopt(tap, "eth0", "198.18.10.1/24");
        b.Adopt(link.HostSide, "eth0", "198.18.10.2/24");
        Assert.Contains("2 received", a.Exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.10.2"));
        PingReplies.Poll(() => File.ReadAllText(env.Path("ports")).Contains($"/run/netns/{a.Name}", StringComparison.Ordinal), "the device's place to be recorded");

        Assert.Equal(0, daemon.Stop());
        daemon.Dispose();
        daemon = env.Own(new DaemonProcess(wrapper, env.Path("ctl.sock"), args));
        Assert.Contains("re-attached in /run/netns/" + a.Name, daemon.Log, StringComparison.Ordinal);
        Assert.Contains("2 received", a.Exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.10.2"));
    }

    private static string Apphost(string project) => Path.ChangeExtension(DaemonProcess.Built(project), null);

    private static void Require(string tool, string package)
    {
        if (Sh.Try("sh", "-c", "command -v " + tool).ExitCode == 0) return;
        string why = $"{tool} is missing: install the Debian package {package} (.ci/run does)";
        if (Privileges.InCi) Assert.Fail(why);
        Assert.Skip(why);
    }

    [GeneratedRegex(@"^CapabilityBoundingSet=(.*)$", RegexOptions.Multiline)]
    private static partial Regex Capabilities();
}
