using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>ethers add [--tenant NAME] MAC ADDRESS|NAME</c>: the neighbour line replaces any for the same target.</summary>
public sealed class EthersAdd : TableEditCommand
{
    public override string Name => "ethers/add";
    public override string Summary => "say which MAC owns an address or host name (written before it is acknowledged)";
    protected override IReadOnlyList<CommandArgument> EditArguments { get; } = [new("mac", "MAC"), new("target", "ADDRESS|NAME")];

    private protected override Task<TableResult<TableEdit>> EditAsync(TableStore store, CommandArgs args, CancellationToken cancel) =>
        store.AddNeighborAsync(args.Get("mac")!, args.Get("target")!, cancel);
}
