using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Tenancy;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>tenants</c>: every tenant with its VLANs, ports, table files, entries and the replies written for it.</summary>
public sealed class Tenants : ControlCommand<TenantsResult>
{
    public override string Name => "tenants";
    public override string Summary => "list the tenants: VLANs, ports, table files and lines, replies written";
    public override JsonTypeInfo<TenantsResult> ResultType => ControlJsonContext.Default.TenantsResult;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel) =>
        Success(new TenantsResult(await daemon.ListTenantsAsync(cancel).ConfigureAwait(false)));

    protected override TextView Render(TenantsResult result) => TextView.Table(
        ["tenant", "vlans", "ports", "hosts", "lines", "ethers", "lines", "arp", "nd", "dns", "dhcp", "rate-limited"],
        result.Tenants.Select(t => new[]
        {
            t.Name, t.Vlans.Length == 0 ? "-" : t.Vlans, t.Ports.Count == 0 ? "-" : string.Join(',', t.Ports),
            t.HostsFile ?? "none", Num(t.HostsEntries), t.EthersFile ?? "none", Num(t.EthersEntries),
            Num(t.ArpReplied), Num(t.NdReplied), Num(t.DnsReplied), Num(t.DhcpReplied), Num(t.RateLimited),
        }));

    private static string Num(long? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "-";
}

public sealed record TenantsResult(IReadOnlyList<TenantInfo> Tenants);
