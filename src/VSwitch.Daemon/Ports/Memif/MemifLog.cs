using Microsoft.Extensions.Logging;

namespace VSwitch.Daemon.Ports.Memif;

// Link changes of memif ports, reported by supervision from the ports' counters: at most one line
// of each kind per port per supervision pass, however often a peer connects or is refused.
internal static partial class MemifLog
{
    [LoggerMessage(60, LogLevel.Information, "Port {Port}: memif peer {Peer} connected ({Role}, rings rx {RxRing} tx {TxRing})")]
    public static partial void Connected(ILogger logger, string port, string peer, string role, int rxRing, int txRing);

    [LoggerMessage(61, LogLevel.Information, "Port {Port}: memif link ended ({Count} time(s) since the last report): {Reason}")]
    public static partial void Disconnected(ILogger logger, string port, long count, string reason);

    [LoggerMessage(62, LogLevel.Warning, "Port {Port}: refused {Count} memif peer(s) since the last report; the last: {Reason}")]
    public static partial void Refused(ILogger logger, string port, long count, string reason);

    /// <summary>Logs what changed between two looks at a port's link.</summary>
    public static void Report(ILogger logger, string port, MemifPortStatus? before, MemifPortStatus now)
    {
        long disconnects = now.Disconnects - (before?.Disconnects ?? 0);
        long refused = now.Refused - (before?.Refused ?? 0);
        long connects = now.Connects - (before?.Connects ?? 0);
        if (disconnects > 0) Disconnected(logger, port, disconnects, now.LastError ?? "unknown");
        if (refused > 0) Refused(logger, port, refused, now.LastError ?? "unknown");
        if (connects > 0 && now.State == "connected") Connected(logger, port, now.PeerName, now.Role, now.RxRingSize, now.TxRingSize);
    }
}
