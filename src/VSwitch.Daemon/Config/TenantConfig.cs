using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Config;

/// <summary>One <c>[tenant NAME]</c> section of the config file: which frames belong to the tenant, and its own tables and settings.</summary>
/// <remarks>
/// <para>A tenant inherits nothing from the keys outside the sections (those configure the default
/// tenant): a key it does not give has the built-in default, and a table it does not name is
/// empty. <see cref="TenantSections"/> reads the sections and checks that no two tenants claim the
/// same VLAN or port.</para>
/// <para>Where each key was written is kept, so that a refusal found only once the whole file was
/// read (an overlap, a DHCP scope on a VLAN the tenant does not have) still points at its line.</para>
/// </remarks>
/// <param name="Name">The tenant's name, as in <c>vswitchctl --tenant NAME</c> and counter paths <c>tenant/NAME/...</c>.</param>
/// <param name="Source">The config file the section is in.</param>
/// <param name="Line">The line of the section header.</param>
public sealed record TenantConfig(string Name, string Source, int Line)
{
    /// <summary>The VLANs whose frames belong to this tenant (unless their port is bound to a tenant).</summary>
    public IReadOnlyList<ushort> Vlans { get; init; } = [];

    /// <summary>The line of <c>vlans =</c>, or the header's when not given.</summary>
    public int VlansLine { get; init; }

    /// <summary>Names of the ports whose frames belong to this tenant whatever their VLAN.</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];

    /// <summary>The line of <c>ports =</c>, or the header's when not given.</summary>
    public int PortsLine { get; init; }

    /// <summary>The tenant's hosts(5) file; null or <c>none</c>: no names.</summary>
    public string? HostsPath { get; init; }

    /// <summary>The tenant's ethers(5) file; null or <c>none</c>: no neighbours, no leases.</summary>
    public string? EthersPath { get; init; }

    public IReadOnlyList<string> Zones { get; init; } = [];

    public uint DnsTtl { get; init; } = new DnsSettings().Ttl;

    public uint DnsSoaSerial { get; init; } = new DnsSettings().SoaSerial;

    public ushort DnsUdpPayloadSize { get; init; } = new DnsSettings().UdpPayloadSize;

    /// <summary>The server name of the local zones' NS answers; null: NS at an apex gets NODATA.</summary>
    public string? DnsNsName { get; init; }

    /// <summary>The switch's own DNS address(es), at most one per family (<c>dns-address</c>).</summary>
    public IReadOnlyList<System.Net.IPAddress> DnsAddresses { get; init; } = [];

    /// <summary>Where the DNS address forwards what the tables do not answer (<c>dns-upstream</c>).</summary>
    public IReadOnlyList<System.Net.IPEndPoint> DnsUpstreams { get; init; } = [];

    /// <summary>DHCP scopes answered from the tenant's ethers table.</summary>
    public IReadOnlyList<DhcpScope> DhcpScopes { get; init; } = [];

    /// <summary>The line of each of <see cref="DhcpScopes"/>.</summary>
    public IReadOnlyList<int> DhcpLines { get; init; } = [];

    /// <summary>The tenant's own reply rate per port (0: no limit); null: the switch-wide <c>peephole-rate-limit</c> applies.</summary>
    public int? PeepholeRateLimit { get; init; }

    /// <summary>The DNS settings the tenant's tables are built with.</summary>
    public DnsSettings Dns => new() { Ttl = DnsTtl, SoaSerial = DnsSoaSerial, UdpPayloadSize = DnsUdpPayloadSize, Zones = Zones, NsName = DnsNsName, Addresses = DnsAddresses };
}
