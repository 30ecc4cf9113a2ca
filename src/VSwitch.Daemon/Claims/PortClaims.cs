using System.Security.Cryptography;
using System.Text;
using VSwitch.Daemon.Ports;

namespace VSwitch.Daemon.Claims;

// Two vswitchd on one interface duplicate every frame between them and fight over a TAP device;
// two memif servers on one socket path replace each other's socket. Each such resource gets a
// LockFile under one directory shared by every vswitchd of the machine, whatever its control
// socket: an interface by its network namespace (inode) and name, a memif server by its socket
// path. The lock is taken before the port is opened and held while the daemon wants the port
// (across re-opens), so a second daemon is refused before it creates or touches anything.
// A daemon's own ports may share a claim (several memif ids on one socket).

/// <summary>This daemon's claims on the interfaces and memif sockets of its ports.</summary>
public sealed class PortClaims(string directory) : IDisposable
{
    /// <summary>Where every vswitchd of the machine keeps its claims.</summary>
    public const string DefaultDirectory = "/run/vswitch/claims";

    private readonly Dictionary<string, (LockFile Lock, HashSet<string> Ports)> _held = new(StringComparer.Ordinal);
    private readonly object _sync = new();

    /// <summary>Claims what <paramref name="spec"/> opens for the port <paramref name="spec"/> names.</summary>
    /// <returns>Null when claimed (or there is nothing to claim), else one line naming the holder.</returns>
    public string? TryClaim(PortSpec spec)
    {
        if (KeyOf(spec) is not (string key, string what)) return null;
        lock (_sync)
        {
            if (_held.TryGetValue(key, out var held))
            {
                held.Ports.Add(spec.Name);
                return null;
            }
            LockFile? file;
            try
            {
                file = LockFile.TryAcquire(Path.Combine(directory, key + ".lock"), out int holder);
                if (file is null) return $"{spec.Text}: another vswitchd{LockFile.Describe(holder)} holds {what}; stop it or remove the port there first";
            }
            catch (IOException e)
            {
                return $"{spec.Text}: cannot claim {what}: {e.Message}";
            }
            _held[key] = (file, [spec.Name]);
            return null;
        }
    }

    /// <summary>Lets go of the port's claim once no other port of this daemon shares it.</summary>
    public void Release(PortSpec spec)
    {
        if (KeyOf(spec) is not (string key, _)) return;
        lock (_sync)
        {
            if (!_held.TryGetValue(key, out var held) || !held.Ports.Remove(spec.Name) || held.Ports.Count > 0) return;
            held.Lock.Dispose();
            _held.Remove(key);
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            foreach (var (file, _) in _held.Values) file.Dispose();
            _held.Clear();
        }
    }

    // The claim's file name and what it stands for, in words; null for a port that claims nothing
    // (a capture file; a memif client, which the server it connects to refuses twice over).
    private static (string Key, string What)? KeyOf(PortSpec spec) => spec.Kind switch
    {
        PortSpec.Tap or PortSpec.AfPacket or PortSpec.Pcap =>
            ($"net-{OwnNamespace}-{spec.Input}", $"interface {spec.Input}"),
        PortSpec.Memif when spec.MemifOptions!.Role == VSwitch.Memif.Protocol.MemifRole.Server =>
            ($"memif-{Hash(spec.MemifOptions.SocketPath)}", $"memif socket {spec.MemifOptions.SocketPath}"),
        _ => null,
    };

    // Interface names are per network namespace: the same name in two namespaces is two devices.
    private static readonly string OwnNamespace = Ports.Linux.NetNamespaces.Own.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Hash(string path) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path.StartsWith('@') ? path : Path.GetFullPath(path))))[..24];
}
