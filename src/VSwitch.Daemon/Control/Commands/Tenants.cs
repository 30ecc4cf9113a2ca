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

    // The tenants with their replies, then one line per table file with its state: a file in
    // trouble (not loaded, bad lines) is what an operator looks for first.
    protected override TextView Render(TenantsResult result) => TextView.Table(
        ["tenant", "vlans", "ports", "hosts", "lines", "ethers", "lines", "arp", "nd", "dns", "dhcp", "rate-limited"],
        result.Tenants.Select(t => new[]
        {
            t.Name, t.Vlans.Length == 0 ? "-" : t.Vlans, t.Ports.Count == 0 ? "-" : string.Join(',', t.Ports),
            t.HostsFile ?? "none", Num(t.HostsEntries), t.EthersFile ?? "none", Num(t.EthersEntries),
            Num(t.ArpReplied), Num(t.NdReplied), Num(t.DnsReplied), Num(t.DhcpReplied), Num(t.RateLimited),
        }),
        [.. result.Tenants.SelectMany(t => new[] { t.Hosts, t.Ethers }.OfType<Storage.TableState>().Select(s => Line(t.Name, s)))]);

    // "tenant default: /var/lib/vswitch/hosts loaded, 12 lines, 0 bad, at 2026-12-07T17:40:02Z"
    private static string Line(string tenant, Storage.TableState s)
    {
        string line = $"tenant {tenant}: {s.File} {State(s)}, {s.Lines} line{(s.Lines == 1 ? "" : "s")}, {s.BadLines} bad";
        if (s.LoadedAt is not null) line += $", loaded {Time(s.LoadedAt)}";
        if (s.CheckedAt != s.LoadedAt) line += $", read {Time(s.CheckedAt)}";
        return s.LastError is null ? line : line + $"; first error: {s.LastError}";
    }

    private static string State(Storage.TableState s) =>
        !s.Loaded ? "not loaded" : s.LastError is null ? "loaded" : s.LoadedAt == s.CheckedAt ? "loaded, bad lines skipped" : "loaded, last reload refused";

    private static string Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-";

    private static string Num(long? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "-";
}

public sealed record TenantsResult(IReadOnlyList<TenantInfo> Tenants);
