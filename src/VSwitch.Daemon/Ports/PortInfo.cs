using VSwitch.Daemon.Ports.Memif;

namespace VSwitch.Daemon.Ports;

/// <summary>One port as the control plane shows it.</summary>
/// <param name="Name">The port's name (unique in the switch).</param>
/// <param name="Id">The switch's number for it (MAC table entries point at it).</param>
/// <param name="Spec">The spec it was opened from, or <c>(given)</c> for a port handed to the daemon in code.</param>
/// <param name="State"><c>up</c>, or <c>down</c> when the device went away (supervision re-opens it).</param>
/// <param name="Vlans"><c>access:N</c> or <c>trunk:N,M,...</c>.</param>
/// <param name="Mtu">The largest payload the port takes or sends.</param>
/// <param name="Drops">Frames dropped on this port, every reason together.</param>
/// <param name="WentDown">Times supervision saw the port go down.</param>
/// <param name="Reopened">Times supervision re-opened it from its spec (counters restart then).</param>
public sealed record PortInfo(string Name, int Id, string Spec, string State, string Vlans, int Mtu,
    long RxPackets, long RxBytes, long TxPackets, long TxBytes, long Drops, long WentDown, long Reopened)
{
    /// <summary>The shared-memory link of a memif port (absent for other kinds, so the JSON of those is unchanged).</summary>
    public MemifPortStatus? Memif { get; init; }
}
