using System.Globalization;
using System.Text;
using VSwitch.Daemon.Storage;
using VSwitch.Datapath.Files;

namespace VSwitch.Daemon.Ports.Persistence;

// What vswitchd must remember about its ports across a restart, in one small text file
// (port-state, /var/lib/vswitch/ports by default), rewritten whole and atomically before a port
// command is acknowledged:
//
//   add SPEC                    a port added at run time (vswitchctl port add)
//   del SPEC                    a port of the config file deleted at run time (vswitchctl port del);
//                               it stays deleted while the config gives that exact spec
//   tap NAME BOOT NETNS IFNAME PATH
//                               a TAP device this daemon created for port NAME: in this boot
//                               (/proc/sys/kernel/random/boot_id), last seen in the network
//                               namespace whose inode is NETNS, named IFNAME there; PATH names
//                               that namespace (/run/netns/..., or - for the daemon's own)
//
// One line per record, fields separated by one space, the last field taking the rest of the
// line (a spec or a path may hold anything but a line break). '#' starts a comment line.

/// <summary>The port records of <c>port-state</c>: runtime adds and deletes, and the TAP devices the daemon created.</summary>
public sealed record PortState(IReadOnlyList<string> Added, IReadOnlyList<string> Deleted, IReadOnlyList<TapRecord> Taps)
{
    public static readonly PortState Empty = new([], [], []);
}

/// <summary>A TAP device the daemon created, and where it was last seen.</summary>
/// <param name="Port">The port's name in the switch.</param>
/// <param name="Boot">The boot it was created in: a record from another boot names nothing.</param>
/// <param name="Namespace">The inode of the network namespace it was last seen in.</param>
/// <param name="Device">Its name in that namespace (a container may rename it).</param>
/// <param name="NamespacePath">A path that opens that namespace, or null for the daemon's own.</param>
public sealed record TapRecord(string Port, string Boot, ulong Namespace, string Device, string? NamespacePath);

/// <summary>Reads and writes <see cref="PortState"/>.</summary>
public static class PortStateFile
{
    private const string Header = "# vswitchd's port state: ports added (add) and deleted (del) at run time, TAP devices it created (tap).\n"
        + "# Written by vswitchd before each port command is acknowledged; edit only while it is stopped.\n";

    /// <summary>This boot's id: TAP records from another boot are stale (devices do not survive a reboot).</summary>
    public static string BootId { get; } = ReadBootId();

    /// <summary>Reads the file; a missing file is the empty state.</summary>
    /// <returns>The state, or null with every bad line as <c>FILE:LINE: reason</c>.</returns>
    public static PortState? Read(string path, List<string> errors)
    {
        string text;
        try
        {
            if (!File.Exists(path)) return PortState.Empty;
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{path}:0: cannot read: {e.Message}");
            return null;
        }
        var added = new List<string>();
        var deleted = new List<string>();
        var taps = new List<TapRecord>();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string[] f = line.Split(' ', 2);
            string rest = f.Length > 1 ? f[1] : "";
            switch (f[0])
            {
                case "add" when rest.Length > 0:
                    added.Add(rest);
                    break;
                case "del" when rest.Length > 0:
                    deleted.Add(rest);
                    break;
                case "tap" when rest.Split(' ', 5) is [var port, var boot, var ns, var device, var nsPath]
                    && ulong.TryParse(ns, NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode):
                    taps.Add(new TapRecord(port, boot, inode, device, nsPath == "-" ? null : nsPath));
                    break;
                default:
                    errors.Add($"{path}:{number}: not 'add SPEC', 'del SPEC' or 'tap NAME BOOT NETNS IFNAME PATH': {UntrustedText.Quote(line, 60)}");
                    break;
            }
        }
        return errors.Count > 0 ? null : new PortState(added, deleted, taps);
    }

    /// <summary>Writes <paramref name="state"/> atomically (temporary file, fsync, rename).</summary>
    /// <exception cref="IOException">It could not be written; the file on disk is as it was.</exception>
    public static void Write(string path, PortState state)
    {
        var text = new StringBuilder(Header);
        foreach (string spec in state.Added) text.Append("add ").Append(spec).Append('\n');
        foreach (string spec in state.Deleted) text.Append("del ").Append(spec).Append('\n');
        foreach (TapRecord t in state.Taps)
            text.Append(CultureInfo.InvariantCulture, $"tap {t.Port} {t.Boot} {t.Namespace} {t.Device} {t.NamespacePath ?? "-"}\n");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            AtomicFile.WriteAllText(path, text.ToString());
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException(e.Message, e);
        }
    }

    private static string ReadBootId()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
