using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>hosts list [--tenant NAME]</c>: the hosts lines in service.</summary>
public sealed class HostsList : ControlCommand<HostsListResult>
{
    public override string Name => "hosts/list";
    public override string Summary => "list the hosts table in service";
    public override JsonTypeInfo<HostsListResult> ResultType => ControlJsonContext.Default.HostsListResult;

    public override IReadOnlyList<CommandArgument> Arguments { get; } = [CommandArgument.Tenant];

    internal override Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        if (daemon.FindTenant(args.Get(CommandArgument.Tenant.Name), out string? unknown) is not Tenancy.DaemonTenant tenant)
            return Task.FromResult(CommandOutcome.Fail(unknown!));
        TableResult<List<HostsLine>> list = tenant.Store.ListHosts();
        return Task.FromResult(list.Ok
            ? Success(new HostsListResult(tenant.Store.HostsPath!, list.Value!, tenant.Name))
            : CommandOutcome.Fail(list.Error!));
    }

    protected override TextView Render(HostsListResult result) => TextView.Table(["line", "address", "names"],
        result.Entries.Select(e => new[] { e.Line.ToString(CultureInfo.InvariantCulture), e.Address, string.Join(' ', e.Names) }),
        $"{result.Entries.Count} line{(result.Entries.Count == 1 ? "" : "s")} in {result.File}");
}

/// <param name="File">The hosts file.</param>
/// <param name="Entries">Its lines that hold an entry, with their line numbers.</param>
/// <param name="Tenant">The tenant whose table it is.</param>
public sealed record HostsListResult(string File, IReadOnlyList<HostsLine> Entries, string? Tenant = null);
