using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>ethers add MAC ADDRESS|NAME</c>: the neighbour line replaces any for the same target.</summary>
public sealed class EthersAdd : ControlCommand<TableEdit>
{
    public override string Name => "ethers/add";
    public override string Summary => "say which MAC owns an address or host name (written before it is acknowledged)";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [new("mac", "MAC"), new("target", "ADDRESS|NAME")];
    public override JsonTypeInfo<TableEdit> ResultType => ControlJsonContext.Default.TableEdit;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        TableResult<TableEdit> r = await daemon.Tables.AddNeighborAsync(args.Get("mac")!, args.Get("target")!, cancel).ConfigureAwait(false);
        daemon.LogEdit(Name, r);
        return r.Ok ? Success(r.Value!) : CommandOutcome.Fail(r.Error!, r.Details);
    }

    protected override TextView Render(TableEdit result) => EditText.Render(result);
}
