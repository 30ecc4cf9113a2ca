using VSwitch.Daemon.Config;
using VSwitch.Daemon.Storage;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Daemon.Tenancy;

// The daemon's tenants: the default one (the keys outside any section) first, then one per
// [tenant NAME] section, in file order. The set never changes while the daemon runs; what changes
// is each tenant's snapshot (an edit or reload swaps Tenant.Tables, nothing else) and which port
// numbers the tenants' port names stand for (Bind, run on the loop's thread whenever a port is
// attached or detached, so that no frame from a new port is ever resolved by a stale binding and
// a port number reused by another port never keeps the old port's tenant).

/// <summary>Every tenant of the daemon, by name, and the binding that maps frames to them.</summary>
public sealed class TenantSet : IDisposable
{
    private readonly DaemonTenant[] _all;

    public TenantSet(SwitchConfig config)
        : this([DaemonTenant.Default(config), .. config.Tenants.Select(t => DaemonTenant.From(t, config.TableErrors))])
    {
    }

    public TenantSet(IEnumerable<DaemonTenant> tenants) => _all = [.. tenants];

    /// <summary>Every tenant, the default one first.</summary>
    public IReadOnlyList<DaemonTenant> All => _all;

    public DaemonTenant Default => _all[0];

    /// <summary>The tenant named <paramref name="name"/>, the default one for null; null when there is none so named.</summary>
    public DaemonTenant? Find(string? name) => name is null ? Default : Array.Find(_all, t => t.Name == name);

    /// <summary>The error for a tenant name that <see cref="Find"/> did not find.</summary>
    public string Unknown(string name) =>
        $"no tenant named '{(name.Length <= 40 ? name : name[..40] + "...")}'; the tenants are {string.Join(", ", _all.Select(t => t.Name))}";

    /// <summary>The binding for the ports attached now: each tenant's VLANs, and its port names as port numbers.</summary>
    /// <param name="ports">The loop's port table; read it on the loop's thread.</param>
    /// <param name="include">Which tenants to bind (all by default).</param>
    public TableBinding Bind(PortTable ports, Func<DaemonTenant, bool>? include = null)
    {
        var ids = new Dictionary<string, ushort>(StringComparer.Ordinal);
        foreach (AttachedPort p in ports.All) ids[p.Port.Name] = p.Id;
        // Each tenant's DNS service port by its number now: ports come and go, names stay.
        foreach (DaemonTenant t in _all)
            t.Tenant.DnsPort = t.DnsPortName is string name && ids.TryGetValue(name, out ushort id) ? id : -1;
        // A tenant's DNS service port is the tenant's by name too, so its frames are answered from the tenant's tables.
        return TableBinding.Of(_all.Where(t => include?.Invoke(t) ?? true).Select(t => (t.Tenant, (IEnumerable<ushort>)t.Vlans,
            (IEnumerable<ushort>)[.. t.Ports.Append(t.DnsPortName).OfType<string>().Where(ids.ContainsKey).Select(n => ids[n])])));
    }

    /// <summary>Reloads the tables of <paramref name="only"/>, or of every tenant; a tenant whose files have errors keeps its tables.</summary>
    /// <returns>Each tenant's outcome, in tenant order.</returns>
    public async Task<List<(DaemonTenant Tenant, TableResult<TableLoad> Result)>> ReloadAsync(DaemonTenant? only, CancellationToken cancel)
    {
        var results = new List<(DaemonTenant, TableResult<TableLoad>)>();
        foreach (DaemonTenant t in only is null ? _all : [only])
        {
            TableResult<TableLoad> r = await t.Store.ReloadAsync(cancel).ConfigureAwait(false);
            results.Add((t, r.Ok ? r with { Value = r.Value! with { Tenant = t.Name } } : r));
        }
        return results;
    }

    public void Dispose()
    {
        foreach (DaemonTenant t in _all) t.Dispose();
    }
}
