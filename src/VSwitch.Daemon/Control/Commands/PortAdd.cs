using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Ports;
using VSwitch.Daemon.Control.Protocol;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>port add SPEC</c>: opens a port and attaches it; the other ports carry on undisturbed.</summary>
public sealed class PortAdd : ControlCommand<PortInfo>
{
    public override string Name => "port/add";
    public override string Summary => "open a port (tap:NAME, afpacket:IF, pcap:IF, pcap-file:IN[,OUT]; ,vlan=N ,trunk=N;M ,mtu=N ,name=NAME)";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [new("spec", "SPEC")];
    public override JsonTypeInfo<PortInfo> ResultType => ControlJsonContext.Default.PortInfo;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        (PortInfo? port, string? error) = await daemon.AddPortAsync(args.Get("spec")!, cancel).ConfigureAwait(false);
        return port is null ? CommandOutcome.Fail(error!) : Success(port);
    }

    protected override TextView Render(PortInfo result) =>
        TextView.Text($"added port {result.Name} (id {result.Id}, {result.Vlans}, mtu {result.Mtu}) from {result.Spec}");
}
