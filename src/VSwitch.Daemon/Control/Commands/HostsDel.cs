using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>hosts del NAME</c>: the name leaves every hosts line (a line left without names goes).</summary>
public sealed class HostsDel : ControlCommand<TableEdit>
{
    public override string Name => "hosts/del";
    public override string Summary => "remove a name from the hosts table (written before it is acknowledged)";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [new("name", "NAME")];
    public override JsonTypeInfo<TableEdit> ResultType => ControlJsonContext.Default.TableEdit;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        TableResult<TableEdit> r = await daemon.Tables.DeleteHostAsync(args.Get("name")!, cancel).ConfigureAwait(false);
        daemon.LogEdit(Name, r);
        return r.Ok ? Success(r.Value!) : CommandOutcome.Fail(r.Error!, r.Details);
    }

    protected override TextView Render(TableEdit result) => EditText.Render(result);
}
