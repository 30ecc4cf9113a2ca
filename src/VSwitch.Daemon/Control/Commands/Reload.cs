using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>reload</c>: re-reads both table files; with any bad line, the tables in service stay and every error is returned.</summary>
public sealed class Reload : ControlCommand<TableLoad>
{
    public override string Name => "reload";
    public override string Summary => "re-read the hosts and ethers files (as SIGHUP does)";
    public override JsonTypeInfo<TableLoad> ResultType => ControlJsonContext.Default.TableLoad;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        TableResult<TableLoad> r = await daemon.ReloadAsync(cancel).ConfigureAwait(false);
        return r.Ok ? Success(r.Value!) : CommandOutcome.Fail(r.Error!, r.Details);
    }

    protected override TextView Render(TableLoad result) => TextView.Text(
        $"hosts: {result.HostsFile ?? "none"} ({result.HostsEntries} lines), ethers: {result.EthersFile ?? "none"} ({result.EthersEntries} lines): in service");
}
