using VSwitch.Daemon.Ports;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Ports.Memif;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>ports</c>: every port with its spec, state, VLANs, MTU and traffic counters.</summary>
public sealed class Ports : ControlCommand<PortsResult>
{
    public override string Name => "ports";
    public override string Summary => "list the ports: state, VLANs, MTU, counters";
    public override JsonTypeInfo<PortsResult> ResultType => ControlJsonContext.Default.PortsResult;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel) =>
        Success(new PortsResult(await daemon.ListPortsAsync(cancel).ConfigureAwait(false)));

    // The links of memif ports follow the table as lines, so the table keeps its columns for scripts.
    protected override TextView Render(PortsResult result) => TextView.Table(
        ["port", "id", "state", "vlans", "mtu", "rx-packets", "rx-bytes", "tx-packets", "tx-bytes", "drops", "went-down", "spec"],
        result.Ports.Select(p => Row(p)),
        [.. result.Ports.Where(p => p.Memif is not null).Select(p => MemifLine(p.Name, p.Memif!))]);

    internal static string MemifLine(string name, MemifPortStatus m) =>
        $"{name}: memif {m.Role} id {m.Id} on {m.Socket}: {m.State}" +
        (m.PeerName.Length > 0 ? $", peer {m.PeerName}, rings rx {m.RxRingSize} tx {m.TxRingSize}" : "") +
        $", connects {m.Connects}, disconnects {m.Disconnects}, refused {m.Refused}, bad-descriptors {m.BadDescriptors}, tx-ring-full {m.TxRingFull}" +
        (m.LastError is null ? "" : $", last: {m.LastError}");

    internal static string[] Row(PortInfo p) =>
    [
        p.Name, Num(p.Id), p.State, p.Vlans, Num(p.Mtu), Num(p.RxPackets), Num(p.RxBytes), Num(p.TxPackets), Num(p.TxBytes),
        Num(p.Drops), Num(p.WentDown), p.Spec,
    ];

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}

public sealed record PortsResult(IReadOnlyList<PortInfo> Ports);
