using Microsoft.Extensions.Logging;
using VSwitch.Daemon.Ports;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Config;

/// <summary>Everything vswitchd is told: the merged result of the config file and the command line.</summary>
/// <remarks>
/// <para>Every property is one key of the config file and one <c>--key</c> option of vswitchd
/// (<see cref="ConfigKeys"/> is the table of them; docs/configuration.md documents each). A null
/// path means "not given"; <see cref="ResolveDefaults"/> turns the unset ones into the defaults
/// of a live switch (<see cref="Defaults"/>), and the value <c>none</c> into "no such thing".</para>
/// <para>Immutable: the readers build it with <c>with</c>, one key at a time, so that a bad
/// value is reported where it was written and nothing is half-applied.</para>
/// </remarks>
public sealed record SwitchConfig
{
    /// <summary>The ports, in the order given; empty means "the default ports" in a live switch.</summary>
    public IReadOnlyList<PortSpec> Ports { get; init; } = [];

    /// <summary>The hosts(5) file the DNS responder answers from; null = not given, <c>none</c> = no table.</summary>
    public string? HostsPath { get; init; }

    /// <summary>The ethers(5) file the ARP and ND responders answer from; null = not given, <c>none</c> = no table.</summary>
    public string? EthersPath { get; init; }

    /// <summary>DHCP scopes answered from the ethers table (none: DHCP is forwarded like any traffic).</summary>
    public IReadOnlyList<DhcpScope> DhcpScopes { get; init; } = [];

    /// <summary>Zones answered authoritatively (NXDOMAIN for names inside them that the table lacks).</summary>
    public IReadOnlyList<string> Zones { get; init; } = [];

    /// <summary>TTL of every DNS answer, in seconds.</summary>
    public uint DnsTtl { get; init; } = new DnsSettings().Ttl;

    /// <summary>The SOA serial published for the local zones.</summary>
    public uint DnsSoaSerial { get; init; } = new DnsSettings().SoaSerial;

    /// <summary>The EDNS UDP payload size announced in replies.</summary>
    public ushort DnsUdpPayloadSize { get; init; } = new DnsSettings().UdpPayloadSize;

    /// <summary>The server name of the local zones' NS answers; null: NS at an apex gets NODATA.</summary>
    public string? DnsNsName { get; init; }

    /// <summary>The switch's own DNS address(es), at most one per family (<c>dns-address</c>).</summary>
    public IReadOnlyList<System.Net.IPAddress> DnsAddresses { get; init; } = [];

    /// <summary>Where the DNS address forwards what the tables do not answer (<c>dns-upstream</c>).</summary>
    public IReadOnlyList<System.Net.IPEndPoint> DnsUpstreams { get; init; } = [];

    /// <summary>The VLANs on which the tables answer; other VLANs are switched but never answered.</summary>
    public IReadOnlyList<ushort> TableVlans { get; init; } = [Datapath.Ports.VlanMode.DefaultVlan];

    /// <summary>The tenants of the <c>[tenant NAME]</c> sections, in file order; the keys above configure the default tenant.</summary>
    public IReadOnlyList<TenantConfig> Tenants { get; init; } = [];

    /// <summary>The VLANs the default tenant answers on: <see cref="TableVlans"/> and those of its DHCP scopes.</summary>
    public IReadOnlyList<ushort> DefaultTenantVlans => [.. TableVlans.Union(DhcpScopes.Select(d => d.Vlan))];

    /// <summary>The control socket's path; null = not given, <c>none</c> = no control socket.</summary>
    public string? ControlPath { get; init; }

    /// <summary>The port state file (runtime port edits, the daemon's TAP devices); null = not given, <c>none</c> = none.</summary>
    public string? PortStatePath { get; init; }

    /// <summary>Where /metrics is served for Prometheus; null: nowhere (the default).</summary>
    public System.Net.IPEndPoint? MetricsListen { get; init; }

    /// <summary>The control socket's permission bits.</summary>
    public UnixFileMode ControlMode { get; init; } = Defaults.ControlMode;

    /// <summary>What a table file with bad lines does, for every tenant (<c>table-errors</c>).</summary>
    public Storage.TableErrorPolicy TableErrors { get; init; } = Storage.TableErrorPolicy.Refuse;

    /// <summary>How long a learned address is remembered.</summary>
    public TimeSpan MacAging { get; init; } = Datapath.Switching.MacTable.DefaultAging;

    /// <summary>The most (VLAN, MAC) entries the MAC table holds.</summary>
    public int MacTableSize { get; init; } = Datapath.Switching.MacTable.DefaultMaxEntries;

    /// <summary>Most peephole replies per second per ingress port; 0 for no limit.</summary>
    public int PeepholeRateLimit { get; init; } = Datapath.Tenancy.RateLimiter.DefaultRatePerSecond;

    /// <summary>What the forwarding loop does when it finds nothing to do.</summary>
    public IdlePolicy Idle { get; init; } = IdlePolicy.Default;

    /// <summary>The name the idle policy was given by (<c>adaptive</c>, <c>spin</c>, ...), for listings.</summary>
    public string IdleName { get; init; } = "adaptive";

    /// <summary>Frame slots in the pool: bounds the frames in flight.</summary>
    public int FramePoolSlots { get; init; } = Defaults.FramePoolSlots;

    /// <summary>How often port supervision looks for ports that went down.</summary>
    public TimeSpan SuperviseInterval { get; init; } = Defaults.SuperviseInterval;

    /// <summary>The least severe log level written to stderr.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>True when every port is a <c>pcap-file:</c> port: vswitchd replays the captures and exits.</summary>
    public bool IsReplay => Ports.Count > 0 && Ports.All(p => p.Kind == PortSpec.PcapFile);

    /// <summary>The DNS settings the tables are built with.</summary>
    public DnsSettings Dns => new() { Ttl = DnsTtl, SoaSerial = DnsSoaSerial, UdpPayloadSize = DnsUdpPayloadSize, Zones = Zones, NsName = DnsNsName, Addresses = DnsAddresses };

    /// <summary>The configuration a live switch runs with: unset ports, tables and socket take their defaults, <c>none</c> becomes null.</summary>
    /// <remarks>A replay (only <c>pcap-file:</c> ports) keeps tables and socket unset unless given, so
    /// that a replay is the same on every machine and never touches /var/lib or /run.</remarks>
    public SwitchConfig ResolveDefaults()
    {
        bool replay = IsReplay;
        return this with
        {
            Ports = Ports.Count > 0 ? Ports : Defaults.Ports(),
            HostsPath = Resolve(HostsPath, replay ? null : Defaults.HostsPath),
            EthersPath = Resolve(EthersPath, replay ? null : Defaults.EthersPath),
            ControlPath = Resolve(ControlPath, replay ? null : Defaults.ControlPath),
            PortStatePath = Resolve(PortStatePath, replay ? null : Defaults.PortStatePath),
            Tenants = [.. Tenants.Select(t => t with { HostsPath = Resolve(t.HostsPath, null), EthersPath = Resolve(t.EthersPath, null) })],
        };
    }

    /// <summary>True when <paramref name="path"/> is the built-in default table path (created with a sample when missing).</summary>
    public static bool IsDefaultTablePath(string? path) => path is Defaults.HostsPath or Defaults.EthersPath;

    private static string? Resolve(string? given, string? fallback) => given switch
    {
        null => fallback,
        Defaults.None => null,
        _ => given,
    };
}
