using System.Globalization;
using System.Runtime.ExceptionServices;
using VSwitch.Linux;

namespace VSwitch.Daemon.Ports.Linux;

// Network namespaces as the daemon meets them: a TAP device it created may be moved into a
// container's namespace, and after a restart the daemon must reach it there. A namespace is
// named by the inode of its nsfs file; a path to it is a bind mount (/run/netns/NAME, which
// ip-netns and podman make) or a process's /proc/PID/ns/net. The inode is checked every time a
// path is used, since a path can come to name another namespace.

/// <summary>Finding network namespaces by inode and running work inside one.</summary>
internal static class NetNamespaces
{
    // Where bind-mounted namespaces live: ip-netns and podman (/run/netns), Docker.
    private static readonly string[] MountDirectories = ["/run/netns", "/var/run/netns", "/var/run/docker/netns"];

    /// <summary>The inode of the daemon's own network namespace.</summary>
    public static ulong Own { get; } = LibC.InodeOf("/proc/self/ns/net") ?? 0;

    /// <summary>A path that opens the namespace <paramref name="inode"/>: a bind mount if there is one, else a process's; null when none is found.</summary>
    public static string? FindPath(ulong inode)
    {
        foreach (string dir in MountDirectories)
        {
            if (!Directory.Exists(dir)) continue;
            foreach (string file in Directory.EnumerateFiles(dir))
            {
                if (LibC.InodeOf(file) == inode) return file;
            }
        }
        // A namespace nobody mounted lives as long as a process in it: its first process's link.
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out _)) continue;
            string link = Path.Combine(dir, "ns", "net");
            if (LinkInode(link) == inode) return link;
        }
        return null;
    }

    /// <summary>Runs <paramref name="work"/> on a thread of its own inside the namespace <paramref name="path"/> names,
    /// provided it is still the namespace <paramref name="inode"/>; needs CAP_SYS_ADMIN.</summary>
    /// <exception cref="GoneException">The path is gone, or names another namespace now: that namespace is no more.</exception>
    /// <exception cref="IOException">The path cannot be opened, or setns failed (no CAP_SYS_ADMIN, say).</exception>
    public static T Run<T>(string path, ulong inode, Func<T> work)
    {
        int fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            int errno = LibC.LastError;
            string why = $"{path}: cannot open the namespace: {LibC.ErrorText(errno)}";
            throw errno == LibC.ENOENT ? new GoneException(why) : new IOException(why);
        }
        try
        {
            if (LibC.InodeOf(fd) != inode) throw new GoneException($"{path} names another network namespace now");
            T result = default!;
            ExceptionDispatchInfo? failure = null;
            // setns changes the calling thread only; this thread ends with the work, so no other
            // code ever runs in the foreign namespace.
            var thread = new Thread(() =>
            {
                try
                {
                    if (LibC.SetNs(fd, LibC.CLONE_NEWNET) != 0) throw new IOException($"{path}: setns failed: {LibC.ErrorText(LibC.LastError)}");
                    result = work();
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
            }) { Name = "vswitch-netns", IsBackground = true };
            thread.Start();
            thread.Join();
            failure?.Throw();
            return result;
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    // /proc/PID/ns/net reads "net:[4026531840]"; cheaper than opening it.
    private static ulong? LinkInode(string link)
    {
        try
        {
            string? target = new FileInfo(link).LinkTarget;
            return target is not null && target.StartsWith("net:[", StringComparison.Ordinal) && target.EndsWith(']')
                && ulong.TryParse(target.AsSpan(5, target.Length - 6), NumberStyles.None, CultureInfo.InvariantCulture, out ulong ino) ? ino : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>What was looked for (a namespace, a device in it) no longer exists; not a failure to reach it.</summary>
internal sealed class GoneException(string message) : IOException(message);
