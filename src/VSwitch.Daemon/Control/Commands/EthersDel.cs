using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>ethers del [--tenant NAME] MAC|ADDRESS|NAME</c>: removes every ethers line for the key.</summary>
public sealed class EthersDel : TableEditCommand
{
    public override string Name => "ethers/del";
    public override string Summary => "remove the ethers lines of a MAC, an address or a host name";
    protected override IReadOnlyList<CommandArgument> EditArguments { get; } = [new("key", "MAC|ADDRESS|NAME")];

    private protected override Task<TableResult<TableEdit>> EditAsync(TableStore store, CommandArgs args, CancellationToken cancel) =>
        store.DeleteNeighborAsync(args.Get("key")!, cancel);
}
