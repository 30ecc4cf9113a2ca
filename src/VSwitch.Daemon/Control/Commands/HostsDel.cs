using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>hosts del [--tenant NAME] NAME</c>: the name leaves every hosts line (a line left without names goes).</summary>
public sealed class HostsDel : TableEditCommand
{
    public override string Name => "hosts/del";
    public override string Summary => "remove a name from the hosts table (written before it is acknowledged)";
    protected override IReadOnlyList<CommandArgument> EditArguments { get; } = [new("name", "NAME")];

    private protected override Task<TableResult<TableEdit>> EditAsync(TableStore store, CommandArgs args, CancellationToken cancel) =>
        store.DeleteHostAsync(args.Get("name")!, cancel);
}
