using VSwitch.Daemon.Config;
using VSwitch.Daemon.Storage;
using VSwitch.Datapath.Peephole;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Daemon.Tenancy;

/// <summary>One tenant as the daemon holds it: what binds frames to it, its table files, and the
/// datapath's <see cref="Datapath.Tenancy.Tenant"/> whose snapshot those files are served from.</summary>
/// <remarks>
/// <para>The store (<see cref="TableStore"/>: load, list, durable edits) publishes each new snapshot
/// by setting <see cref="Tenant.Tables"/>: one reference write that touches no other tenant and
/// no binding. Until the first good load the tenant answers from <see cref="PeepholeTables.Empty"/>,
/// which holds no name, neighbour, zone or DHCP scope, so every query is forwarded as if the
/// switch had no tables.</para>
/// <para>The VLANs and port names are the configuration's; which port numbers the names stand for
/// changes as ports come and go, and is resolved by <see cref="TenantSet.Bind"/>.</para>
/// </remarks>
public sealed class DaemonTenant : IDisposable
{
    // The limiter standing for "no limit" in a tenant that sets peephole-rate-limit = 0: a null
    // limiter means "the switch-wide one", so no limit is a bucket no port can drain (10^8
    // replies a second is some thousand times what a 10 Gb/s port can carry as replies).
    private const int UnlimitedRate = 100_000_000;

    public DaemonTenant(string name, IReadOnlyList<ushort> vlans, IReadOnlyList<string> ports,
        string? hostsPath, string? ethersPath, DnsSettings dns, IReadOnlyList<DhcpScope> dhcp, int? rateLimit,
        IReadOnlyList<System.Net.IPEndPoint>? dnsUpstreams = null, TableErrorPolicy tableErrors = TableErrorPolicy.Refuse)
    {
        DnsUpstreams = dnsUpstreams ?? [];
        Name = name;
        Vlans = vlans;
        Ports = ports;
        DhcpScopes = dhcp;
        DnsAddresses = dns.Addresses;
        RateLimit = rateLimit;
        int? rate = rateLimit == 0 ? UnlimitedRate : rateLimit;
        Tenant = new Tenant(name, PeepholeTables.Empty)
        {
            Limiter = rate is int r ? new RateLimiter(r, RateLimiter.BurstFor(r)) : null,
        };
        Store = new TableStore(hostsPath, ethersPath, dns, tables => Tenant.Tables = tables.WithDhcp(dhcp), errorPolicy: tableErrors);
    }

    /// <summary>The default tenant: the keys outside any section; answers on <c>table-vlans</c> and its DHCP scopes' VLANs.</summary>
    public static DaemonTenant Default(SwitchConfig c) => new(Datapath.Tenancy.Tenant.DefaultName, c.DefaultTenantVlans, [],
        c.HostsPath, c.EthersPath, c.Dns, c.DhcpScopes, rateLimit: null, c.DnsUpstreams, c.TableErrors);

    /// <summary>A tenant of a <c>[tenant NAME]</c> section.</summary>
    public static DaemonTenant From(TenantConfig t, TableErrorPolicy tableErrors) =>
        new(t.Name, t.Vlans, t.Ports, t.HostsPath, t.EthersPath, t.Dns, t.DhcpScopes, t.PeepholeRateLimit, t.DnsUpstreams, tableErrors);

    public string Name { get; }

    /// <summary>The VLANs whose frames are this tenant's (unless their port is bound to another).</summary>
    public IReadOnlyList<ushort> Vlans { get; }

    /// <summary>Names of the ports whose frames are this tenant's whatever their VLAN.</summary>
    public IReadOnlyList<string> Ports { get; }

    public IReadOnlyList<DhcpScope> DhcpScopes { get; }

    /// <summary>The servers the tenant's DNS address forwards to (<c>dns-upstream</c>); a query never reaches another tenant's.</summary>
    public IReadOnlyList<System.Net.IPEndPoint> DnsUpstreams { get; }

    /// <summary>The tenant's own DNS addresses (<c>dns-address</c>).</summary>
    public IReadOnlyList<System.Net.IPAddress> DnsAddresses { get; }

    /// <summary>The port of the tenant's DNS service, once it runs; <see cref="TenantSet.Bind"/> turns it into <c>Tenant.DnsPort</c>.</summary>
    public string? DnsPortName { get; set; }

    /// <summary>The tenant's own reply rate per port (0: none), or null for the switch-wide one.</summary>
    public int? RateLimit { get; }

    /// <summary>The state the responders reach for this tenant's frames.</summary>
    public Tenant Tenant { get; }

    /// <summary>The tenant's hosts and ethers files.</summary>
    public TableStore Store { get; }

    public void Dispose() => Store.Dispose();
}
