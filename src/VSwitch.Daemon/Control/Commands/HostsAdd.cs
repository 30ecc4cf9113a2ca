using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>hosts add [--tenant NAME] ADDRESS NAME [ALIAS...]</c>: written to the hosts file, then answering, then acknowledged.</summary>
public sealed class HostsAdd : TableEditCommand
{
    public override string Name => "hosts/add";
    public override string Summary => "add a hosts line (written to the file before it is acknowledged)";
    protected override IReadOnlyList<CommandArgument> EditArguments { get; } =
        [new("address", "ADDRESS"), new("names", "NAME [ALIAS...]", Min: 1, Max: 64)];

    private protected override Task<TableResult<TableEdit>> EditAsync(TableStore store, CommandArgs args, CancellationToken cancel) =>
        store.AddHostAsync(args.Get("address")!, args.GetAll("names"), cancel);
}
