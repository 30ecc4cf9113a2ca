using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>ethers list [--tenant NAME]</c>: the ethers lines in service.</summary>
public sealed class EthersList : ControlCommand<EthersListResult>
{
    public override string Name => "ethers/list";
    public override string Summary => "list the ethers table in service";
    public override JsonTypeInfo<EthersListResult> ResultType => ControlJsonContext.Default.EthersListResult;

    public override IReadOnlyList<CommandArgument> Arguments { get; } = [CommandArgument.Tenant];

    internal override Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        if (daemon.FindTenant(args.Get(CommandArgument.Tenant.Name), out string? unknown) is not Tenancy.DaemonTenant tenant)
            return Task.FromResult(CommandOutcome.Fail(unknown!));
        TableResult<List<EthersLine>> list = tenant.Store.ListEthers();
        return Task.FromResult(list.Ok
            ? Success(new EthersListResult(tenant.Store.EthersPath!, list.Value!, tenant.Name))
            : CommandOutcome.Fail(list.Error!));
    }

    protected override TextView Render(EthersListResult result) => TextView.Table(["line", "mac", "address or name"],
        result.Entries.Select(e => new[] { e.Line.ToString(CultureInfo.InvariantCulture), e.Mac, e.Target }),
        $"{result.Entries.Count} line{(result.Entries.Count == 1 ? "" : "s")} in {result.File}");
}

/// <param name="File">The ethers file.</param>
/// <param name="Entries">Its lines that hold an entry, with their line numbers.</param>
/// <param name="Tenant">The tenant whose table it is.</param>
public sealed record EthersListResult(string File, IReadOnlyList<EthersLine> Entries, string? Tenant = null);
