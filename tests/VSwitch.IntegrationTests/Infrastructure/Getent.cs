namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>glibc's resolver in a test host, through <c>getent</c>, with the host's own resolv.conf.</summary>
public static class Getent
{
    /// <summary>The IPv4 addresses <c>getent ahostsv4 NAME</c> finds in <paramref name="host"/> asking
    /// <paramref name="server"/> only (one try, 2 s), and what getent printed.</summary>
    /// <remarks><c>ip netns exec</c> bind-mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf; the file
    /// and its directory are removed again before this returns.</remarks>
    public static (HashSet<string> Addresses, string Output) AhostsV4(NetNamespace host, string server, string name)
    {
        string dir = Path.Combine("/etc/netns", host.Name);
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "resolv.conf"), $"nameserver {server}\noptions attempts:1 timeout:2\n");
            Sh.Result r = host.TryExec(TimeSpan.FromSeconds(20), "getent", "ahostsv4", name);
            var addresses = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToHashSet();
            return (addresses, r.Stdout + r.Stderr);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
