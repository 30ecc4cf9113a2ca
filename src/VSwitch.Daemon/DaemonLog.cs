using Microsoft.Extensions.Logging;

namespace VSwitch.Daemon;

/// <summary>The daemon's log lines: start and stop, ports and their supervision, tables.</summary>
/// <remarks>Nothing here is logged per frame. Lines that a flapping device could repeat every second
/// (a port that cannot be re-opened) go through <see cref="PortManager"/>'s per-port rate limit.</remarks>
internal static partial class DaemonLog
{
    [LoggerMessage(1, LogLevel.Information, "vswitchd starting: {Ports} port(s), hosts {Hosts}, ethers {Ethers}, control {Control}, idle {Idle}")]
    public static partial void Starting(ILogger logger, int ports, string hosts, string ethers, string control, string idle);

    [LoggerMessage(2, LogLevel.Information, "vswitchd running with {Ports} port(s)")]
    public static partial void Running(ILogger logger, int ports);

    [LoggerMessage(3, LogLevel.Information, "{Signal} received: stopping")]
    public static partial void Stopping(ILogger logger, string signal);

    [LoggerMessage(4, LogLevel.Information, "vswitchd stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(5, LogLevel.Critical, "The forwarding loop failed; vswitchd stops rather than run broken")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Critical, "No port could be opened; nothing to switch")]
    public static partial void NoPorts(ILogger logger);

    [LoggerMessage(7, LogLevel.Critical, "vswitchd cannot start: {Reason}")]
    public static partial void StartFailed(ILogger logger, string reason);

    [LoggerMessage(8, LogLevel.Information, "Replayed {Frames} frame(s) through {Ports} port(s)")]
    public static partial void Replayed(ILogger logger, long frames, int ports);

    [LoggerMessage(20, LogLevel.Information, "Port {Name} opened ({Spec}), id {Id}")]
    public static partial void PortOpened(ILogger logger, string name, string spec, int id);

    [LoggerMessage(21, LogLevel.Error, "Port {Spec} cannot be opened: {Reason}")]
    public static partial void PortOpenFailed(ILogger logger, string spec, string reason);

    [LoggerMessage(22, LogLevel.Information, "Port {Name} removed")]
    public static partial void PortRemoved(ILogger logger, string name);

    [LoggerMessage(23, LogLevel.Warning, "Port {Name} went down")]
    public static partial void PortWentDown(ILogger logger, string name);

    [LoggerMessage(24, LogLevel.Information, "Port {Name} is up again")]
    public static partial void PortUpAgain(ILogger logger, string name);

    [LoggerMessage(25, LogLevel.Information, "Port {Name} re-opened from {Spec}")]
    public static partial void PortReopened(ILogger logger, string name, string spec);

    [LoggerMessage(26, LogLevel.Warning, "Port {Name} still cannot be re-opened ({Failures} attempt(s) so far): {Reason}")]
    public static partial void PortReopenFailed(ILogger logger, string name, long failures, string reason);

    [LoggerMessage(27, LogLevel.Information, "Port {Name}: {Note}")]
    public static partial void TapNote(ILogger logger, string name, string note);

    [LoggerMessage(28, LogLevel.Information, "Port {Name}: device {Device} re-attached in {Namespace}, where it was left")]
    public static partial void TapReattached(ILogger logger, string name, string device, string @namespace);

    [LoggerMessage(29, LogLevel.Information, "Deleted the TAP device {Device} of port {Name}, which is no longer wanted")]
    public static partial void TapDeleted(ILogger logger, string name, string device);

    [LoggerMessage(30, LogLevel.Warning, "The TAP device {Device} of port {Name} is no longer wanted but was not deleted: {Reason}")]
    public static partial void TapNotDeleted(ILogger logger, string name, string device, string reason);

    [LoggerMessage(31, LogLevel.Information, "Port {Name}: device now {Device} in {Namespace}")]
    public static partial void TapMoved(ILogger logger, string name, string device, string @namespace);

    [LoggerMessage(32, LogLevel.Warning, "Port state {Path} could not be written: {Reason}")]
    public static partial void PortStateNotWritten(ILogger logger, string path, string reason);

    [LoggerMessage(33, LogLevel.Information, "Port {Spec} was deleted at run time (vswitchctl port del): not opened; 'vswitchctl port add' it, or change its spec in the config, to have it back")]
    public static partial void PortStaysDeleted(ILogger logger, string spec);

    [LoggerMessage(34, LogLevel.Warning, "Port {Spec} added at run time is not opened: the config has a port named {Name}")]
    public static partial void AddedPortShadowed(ILogger logger, string spec, string name);

    [LoggerMessage(35, LogLevel.Warning, "Log level changed from {Before} to {Now} (vswitchctl log level)")]
    public static partial void LogLevelChanged(ILogger logger, string before, string now);

    [LoggerMessage(36, LogLevel.Warning, "Port {Name} is kept, down: supervision opens it as soon as it can")]
    public static partial void PortKeptDown(ILogger logger, string name);

    [LoggerMessage(37, LogLevel.Information, "Metrics served at http://{Listen}/metrics")]
    public static partial void MetricsListening(ILogger logger, string listen);

    [LoggerMessage(40, LogLevel.Information, "Tenant {Tenant}: tables in service: {Hosts} ({HostsLines} line(s)), {Ethers} ({EthersLines} line(s))")]
    public static partial void TablesLoaded(ILogger logger, string tenant, string hosts, int hostsLines, string ethers, int ethersLines);

    [LoggerMessage(41, LogLevel.Error, "Tenant {Tenant}: {Reason}")]
    public static partial void TablesRefused(ILogger logger, string tenant, string reason);

    [LoggerMessage(48, LogLevel.Warning, "Tenant {Tenant}: {Count} bad line(s) skipped (table-errors = skip); the good lines are in service")]
    public static partial void TableLinesSkipped(ILogger logger, string tenant, int count);

    [LoggerMessage(49, LogLevel.Warning, "... and {More} more bad line(s), not logged; vswitchctl reload lists them all")]
    public static partial void TableErrorsNotLogged(ILogger logger, int more);

    [LoggerMessage(50, LogLevel.Critical, "Not starting: the tables of tenant(s) {Tenants} have errors and table-errors = refuse; fix the lines above, or set table-errors = skip to serve the good lines")]
    public static partial void TablesRefusedAtStart(ILogger logger, string tenants);

    [LoggerMessage(42, LogLevel.Error, "{Error}")]
    public static partial void TableError(ILogger logger, string error);

    [LoggerMessage(43, LogLevel.Information, "Created the sample table {Path}")]
    public static partial void SampleCreated(ILogger logger, string path);

    [LoggerMessage(44, LogLevel.Warning, "Cannot create the sample table {Path}: {Reason}")]
    public static partial void SampleFailed(ILogger logger, string path, string reason);

    [LoggerMessage(45, LogLevel.Information, "{Command}: {File} rewritten ({Added} line(s) added, {Removed} removed) and in service")]
    public static partial void TableEdited(ILogger logger, string command, string file, int added, int removed);

    [LoggerMessage(46, LogLevel.Information, "{Command} refused: {Reason}")]
    public static partial void TableEditRefused(ILogger logger, string command, string reason);

    [LoggerMessage(47, LogLevel.Warning, "DHCP: {Count} DECLINE(s) from clients on port {Port}: an address the ethers table gives is in use by another host; it is not offered to that client again for 10 minutes")]
    public static partial void DhcpDeclined(ILogger logger, string port, long count);
}
