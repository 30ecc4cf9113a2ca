using System.Globalization;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Hardening;

/// <summary>
/// Only root and the socket's group reach the control socket: vswitchd makes it mode 0660,
/// owned by root, and a user outside the group is refused by the kernel before the daemon reads
/// a byte. Checked with a user the test creates (and removes, also when it fails).
/// </summary>
/// <remarks>The client is a one-line perl connect (perl-base is on every Debian system), run with
/// runuser as the test user: it needs nothing of the user's but its identity.</remarks>
public class ControlSocketPermissionTests(ITestOutputHelper output)
{
    private const string Connect =
        "use Socket; socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die \"socket: $!\\n\"; " +
        "connect($s, pack_sockaddr_un($ARGV[0])) or die \"connect: $!\\n\"; " +
        "send($s, qq({\"command\":\"ports\"}\\n), 0); my $r = <$s>; print $r // \"\";";

    [Fact]
    public void ControlSocket_UserOutsideItsGroup_CannotConnect_RootAndGroupCan()
    {
        Privileges.RequireRoot();
        string dir = Directory.CreateTempSubdirectory("vsit-perm-").FullName;
        string user = $"vsit{Environment.ProcessId % 100000}";
        var link = new VethPair();
        DaemonProcess? daemon = null;
        bool userMade = false;
        try
        {
            // The directory must let the user reach the socket, so that only the socket's own mode decides.
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            string socket = Path.Combine(dir, "ctl.sock");
            daemon = new DaemonProcess(socket, "--port", "afpacket:" + link.SwitchSide, "--hosts", "none", "--ethers", "none");
            Sh.Run("useradd", "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", user);
            userMade = true;

            string[] stat = Sh.Run("stat", "-c", "%a %U %G", socket).Trim().Split(' ');
            Assert.Equal(["660", "root", "root"], stat);

            Sh.Result asRoot = Sh.Try("perl", "-e", Connect, socket);
            Assert.True(asRoot.ExitCode == 0 && asRoot.Stdout.Contains("\"ok\":true", StringComparison.Ordinal), asRoot.Stderr + asRoot.Stdout);

            Sh.Result asUser = Sh.Try("runuser", "-u", user, "--", "perl", "-e", Connect, socket);
            Assert.NotEqual(0, asUser.ExitCode);
            Assert.Contains("connect: Permission denied", asUser.Stderr, StringComparison.Ordinal);
            long acceptedBefore = daemon.Counter("control/clients-accepted");

            // The control: the same user, once the socket's group is the user's own, gets in.
            Sh.Run("chgrp", user, socket);
            Sh.Result asMember = Sh.Try("runuser", "-u", user, "--", "perl", "-e", Connect, socket);
            Assert.True(asMember.ExitCode == 0 && asMember.Stdout.Contains("\"ok\":true", StringComparison.Ordinal), asMember.Stderr + asMember.Stdout);
            Assert.True(daemon.Counter("control/clients-accepted") > acceptedBefore);
            output.WriteLine($"socket {string.Join(' ', stat)}: root answered; user {user} refused ({asUser.Stderr.Trim()}); " +
                "the same user answered once in the socket's group");
        }
        finally
        {
            daemon?.Dispose();
            if (userMade) Sh.Try("userdel", user);
            link.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }
}
