using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>hosts add ADDRESS NAME [ALIAS...]</c>: written to the hosts file, then answering, then acknowledged.</summary>
public sealed class HostsAdd : ControlCommand<TableEdit>
{
    public override string Name => "hosts/add";
    public override string Summary => "add a hosts line (written to the file before it is acknowledged)";
    public override IReadOnlyList<CommandArgument> Arguments { get; } =
        [new("address", "ADDRESS"), new("names", "NAME [ALIAS...]", Min: 1, Max: 64)];
    public override JsonTypeInfo<TableEdit> ResultType => ControlJsonContext.Default.TableEdit;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        TableResult<TableEdit> r = await daemon.Tables.AddHostAsync(args.Get("address")!, args.GetAll("names"), cancel).ConfigureAwait(false);
        daemon.LogEdit(Name, r);
        return r.Ok ? Success(r.Value!) : CommandOutcome.Fail(r.Error!, r.Details);
    }

    protected override TextView Render(TableEdit result) => EditText.Render(result);
}

/// <summary>How every table edit reads as text.</summary>
internal static class EditText
{
    public static TextView Render(TableEdit e)
    {
        if (!e.Changed) return TextView.Text($"{e.File}: already so, unchanged");
        var lines = new List<string>();
        lines.AddRange(e.Removed.Select(l => "- " + l));
        lines.AddRange(e.Added.Select(l => "+ " + l));
        lines.Add($"{e.File}: written and in service");
        return TextView.Text([.. lines]);
    }
}
