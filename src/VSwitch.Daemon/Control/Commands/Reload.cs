using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>reload [--tenant NAME]</c>: re-reads the table files of one tenant or of all (as SIGHUP does);
/// a tenant whose files have a bad line keeps its tables, and every error is returned.</summary>
public sealed class Reload : ControlCommand<ReloadResult>
{
    public override string Name => "reload";
    public override string Summary => "re-read the hosts and ethers files of every tenant, or of one (as SIGHUP does)";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [CommandArgument.Tenant];
    public override JsonTypeInfo<ReloadResult> ResultType => ControlJsonContext.Default.ReloadResult;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        TableResult<IReadOnlyList<TableLoad>> r = await daemon.ReloadAsync(args.Get(CommandArgument.Tenant.Name), cancel).ConfigureAwait(false);
        return r.Ok ? Success(new ReloadResult(r.Value!, r.Details)) : CommandOutcome.Fail(r.Error!, r.Details);
    }

    protected override TextView Render(ReloadResult result) => TextView.Text([.. result.Tenants.Select(t =>
        $"{t.Tenant}: hosts {t.HostsFile ?? "none"} ({t.HostsEntries} lines{Bad(t.HostsBadLines)}), ethers {t.EthersFile ?? "none"} ({t.EthersEntries} lines{Bad(t.EthersBadLines)}): in service"),
        .. result.Skipped.Select(l => "skipped " + l)]);

    private static string Bad(int n) => n == 0 ? "" : $", {n} bad skipped";
}

/// <param name="Tenants">Each tenant reloaded, in tenant order (the default one first).</param>
/// <param name="Skipped">Bad lines left out of service under <c>table-errors = skip</c>, as <c>FILE:LINE: reason</c>.</param>
public sealed record ReloadResult(IReadOnlyList<TableLoad> Tenants, IReadOnlyList<string> Skipped);
