using VSwitch.Daemon.Ports;

namespace VSwitch.Daemon.Config;

/// <summary>What vswitchd does when it is told nothing: the documented out-of-the-box switch.</summary>
/// <remarks>Two TAP ports for two containers or VMs, tables under /var/lib/vswitch (created with
/// a commented sample when missing) and the control socket under /run/vswitch, where
/// <c>vswitchctl</c> looks by default.</remarks>
public static class Defaults
{
    /// <summary>The value that switches a path setting off (<c>hosts = none</c>).</summary>
    public const string None = "none";

    public const string HostsPath = "/var/lib/vswitch/hosts";
    public const string EthersPath = "/var/lib/vswitch/ethers";
    public const string ControlPath = "/run/vswitch/vswitchd.sock";
    public const string PortStatePath = "/var/lib/vswitch/ports";

    /// <summary>Owner and group may read and write: put the operators in the daemon's group.</summary>
    public const UnixFileMode ControlMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>Enough slots for 32 ports each holding a full burst in every queue, several times over.</summary>
    public const int FramePoolSlots = 4096;

    public static readonly TimeSpan SuperviseInterval = TimeSpan.FromSeconds(1);

    /// <summary>The ports of a switch started with none: <c>tap:vs0</c> and <c>tap:vs1</c>.</summary>
    public static IReadOnlyList<PortSpec> Ports()
    {
        var list = new List<PortSpec>();
        foreach (string text in new[] { "tap:vs0", "tap:vs1" })
        {
            if (!PortSpec.TryParse(text, out PortSpec? spec, out string error)) throw new InvalidOperationException(error);
            list.Add(spec!);
        }
        return list;
    }
}
