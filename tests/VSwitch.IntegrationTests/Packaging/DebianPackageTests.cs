using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Packaging;

/// <summary>The .deb as an operator meets it (issue 17): built by packaging/build-deb.sh, installed
/// with dpkg, the installed vswitchd run with two TAP ports and a ping across, then purged, leaving
/// nothing it installed behind.</summary>
/// <remarks>It installs into the machine itself (as root, like CI), so it refuses to run where
/// VSwitch is installed or has left /etc/vswitch or /var/lib/vswitch: it would purge an
/// operator's tables.</remarks>
public class DebianPackageTests(ITestOutputHelper output)
{
    [Fact]
    public void BuildInstallRunPurge_NothingLeftBehind()
    {
        Privileges.RequireRoot();
        foreach (string tool in (string[])["clang", "dpkg-deb", "dpkg"])
        {
            if (Sh.Try("sh", "-c", "command -v " + tool).ExitCode == 0) continue;
            string why = $"{tool} is missing: install clang, zlib1g-dev and dpkg (.ci/run does)";
            if (Privileges.InCi) Assert.Fail(why);
            Assert.Skip(why);
        }
        if (Sh.Try("dpkg-query", "-W", "-f=${Status}", "vswitch").Stdout.Contains("installed", StringComparison.Ordinal)
            || Directory.Exists("/etc/vswitch") || Directory.Exists("/var/lib/vswitch"))
        {
            const string Why = "VSwitch is installed here, or has left /etc/vswitch or /var/lib/vswitch: this test installs and purges the package and would delete them";
            if (Privileges.InCi) Assert.Fail(Why);
            Assert.Skip(Why);
        }

        using var env = new TestEnv("vsit-deb-");
        Sh.Result build = Sh.Try(TimeSpan.FromMinutes(15), "bash", Path.Combine(DaemonProcess.RepoRoot(), "packaging", "build-deb.sh"), env.Path("out"));
        Assert.True(build.ExitCode == 0, build.Stdout + build.Stderr);
        string deb = Assert.Single(Directory.GetFiles(env.Path("out"), "vswitch_*.deb"));
        output.WriteLine($"{Path.GetFileName(deb)}: {new FileInfo(deb).Length / 1024} KiB");

        // What the package puts down, and which of those paths (shared directories) were here before it.
        string[] contents = [.. Sh.Run("dpkg-deb", "-c", deb).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5].TrimStart('.').TrimEnd('/')).Where(p => p.Length > 0)];
        HashSet<string> before = [.. contents.Where(p => File.Exists(p) || Directory.Exists(p))];
        try
        {
            Sh.Result install = Sh.Try("dpkg", "-i", deb);
            Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
            Sh.Result version = Sh.Try("/usr/sbin/vswitchd", "--version");
            Assert.Equal(0, version.ExitCode);
            Assert.StartsWith("vswitchd 0.", version.Stdout, StringComparison.Ordinal);
            Assert.StartsWith("vswitchctl 0.", Sh.Run("/usr/bin/vswitchctl", "--version"), StringComparison.Ordinal);
            Assert.True(File.Exists("/etc/systemd/system/multi-user.target.wants/vswitchd.service"), "the unit was not enabled");
            string[] listed = [.. Sh.Run("dpkg", "-L", "vswitch").Split('\n', StringSplitOptions.RemoveEmptyEntries)];
            Assert.Contains("/usr/sbin/vswitchd", listed);

            RunTwoTapPorts(env);

            Sh.Result purge = Sh.Try("dpkg", "--purge", "vswitch");
            Assert.True(purge.ExitCode == 0, purge.Stdout + purge.Stderr);
            string[] remains = [.. listed.Where(p => (File.Exists(p) || Directory.Exists(p)) && !before.Contains(p) && p != "/.")];
            Assert.True(remains.Length == 0, "left behind: " + string.Join(", ", remains));
            Assert.False(Directory.Exists("/var/lib/vswitch"), "/var/lib/vswitch was not purged");
            Assert.False(File.Exists("/etc/systemd/system/multi-user.target.wants/vswitchd.service"), "the unit's link was left");
        }
        finally
        {
            Sh.Try("dpkg", "--purge", "vswitch");
        }
    }

    // The installed program, not the tree's build: two hosts on TAP ports, a ping across.
    private static void RunTwoTapPorts(TestEnv env)
    {
        string pid = (Environment.ProcessId % 10000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] taps = [$"vsd{pid}a", $"vsd{pid}b"];
        foreach (string tap in taps) env.OnDispose(() => Sh.Try("ip", "link", "del", tap));
        NetNamespace a = env.Own(new NetNamespace("da")), b = env.Own(new NetNamespace("db"));
        using DaemonProcess daemon = DaemonProcess.Program("/usr/sbin/vswitchd", env.Path("ctl.sock"),
            "--port", "tap:" + taps[0], "--port", "tap:" + taps[1], "--hosts", "none", "--ethers", "none");
        a.Adopt(taps[0], "eth0", "198.18.13.1/24");
        b.Adopt(taps[1], "eth0", "198.18.13.2/24");
        Assert.Contains("3 received", a.Exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.18.13.2"));
        Assert.Contains(taps[1], Sh.Run("/usr/bin/vswitchctl", "--control", daemon.ControlPath, "ports"), StringComparison.Ordinal);
        Assert.Equal(0, daemon.Stop());
    }
}
