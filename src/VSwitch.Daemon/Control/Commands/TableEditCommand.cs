using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;
using VSwitch.Daemon.Tenancy;

namespace VSwitch.Daemon.Control.Commands;

/// <summary>A table edit (<c>hosts add/del</c>, <c>ethers add/del</c>): finds the tenant, edits its
/// store (on disk, then in service), logs, and answers with the lines written and removed.</summary>
public abstract class TableEditCommand : ControlCommand<TableEdit>
{
    /// <summary>The edit's own arguments, after <c>--tenant</c>.</summary>
    protected abstract IReadOnlyList<CommandArgument> EditArguments { get; }

    private IReadOnlyList<CommandArgument>? _arguments;

    public sealed override IReadOnlyList<CommandArgument> Arguments => _arguments ??= [CommandArgument.Tenant, .. EditArguments];

    public sealed override JsonTypeInfo<TableEdit> ResultType => ControlJsonContext.Default.TableEdit;

    /// <summary>Runs the edit on the tenant's store.</summary>
    private protected abstract Task<TableResult<TableEdit>> EditAsync(TableStore store, CommandArgs args, CancellationToken cancel);

    internal sealed override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        if (daemon.FindTenant(args.Get(CommandArgument.Tenant.Name), out string? unknown) is not DaemonTenant tenant) return CommandOutcome.Fail(unknown!);
        TableResult<TableEdit> r = await EditAsync(tenant.Store, args, cancel).ConfigureAwait(false);
        daemon.LogEdit(Name, r);
        return r.Ok ? Success(r.Value! with { Tenant = tenant.Name }) : CommandOutcome.Fail(r.Error!, r.Details);
    }

    protected sealed override TextView Render(TableEdit e)
    {
        if (!e.Changed) return TextView.Text($"{e.File}: already so, unchanged");
        var lines = new List<string>();
        lines.AddRange(e.Removed.Select(l => "- " + l));
        lines.AddRange(e.Added.Select(l => "+ " + l));
        lines.Add($"{e.File}: written and in service" + (e.Tenant is null or Datapath.Tenancy.Tenant.DefaultName ? "" : $" (tenant {e.Tenant})"));
        return TextView.Text([.. lines]);
    }
}
