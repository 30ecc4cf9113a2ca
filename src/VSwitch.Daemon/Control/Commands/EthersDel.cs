using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>ethers del MAC|ADDRESS|NAME</c>: removes every ethers line for the key.</summary>
public sealed class EthersDel : ControlCommand<TableEdit>
{
    public override string Name => "ethers/del";
    public override string Summary => "remove the ethers lines of a MAC, an address or a host name";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [new("key", "MAC|ADDRESS|NAME")];
    public override JsonTypeInfo<TableEdit> ResultType => ControlJsonContext.Default.TableEdit;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        TableResult<TableEdit> r = await daemon.Tables.DeleteNeighborAsync(args.Get("key")!, cancel).ConfigureAwait(false);
        daemon.LogEdit(Name, r);
        return r.Ok ? Success(r.Value!) : CommandOutcome.Fail(r.Error!, r.Details);
    }

    protected override TextView Render(TableEdit result) => EditText.Render(result);
}
