namespace VSwitch.Datapath.Tables;

/// <summary>How the DNS responder answers: TTLs, EDNS size, flags and the local zones.</summary>
public sealed record DnsSettings
{
    /// <summary>TTL of every answer record, in seconds.</summary>
    public uint Ttl { get; init; } = 60;

    /// <summary>The UDP payload size we announce in EDNS0 replies (1232: safe from fragmentation on IPv6 paths).</summary>
    public ushort UdpPayloadSize { get; init; } = 1232;

    /// <summary>Whether replies set RA. Off by default: the switch answers from its table, it does not recurse.</summary>
    public bool RecursionAvailable { get; init; }

    /// <summary>Zones answered authoritatively: names inside them not in the table get NXDOMAIN.</summary>
    public IReadOnlyList<string> Zones { get; init; } = [];

    /// <summary>The server name NS queries at a local zone's apex are answered with, or null: NODATA,
    /// because no name reaches the switch until the operator says which one does.</summary>
    public string? NsName { get; init; }

    /// <summary>The switch's own DNS addresses (at most one IPv4 and one IPv6): ARP and neighbour
    /// solicitations for them are answered from <see cref="PeepholeTables.ResponderMac"/>.</summary>
    public IReadOnlyList<System.Net.IPAddress> Addresses { get; init; } = [];

    /// <summary>The SOA serial published for every local zone.</summary>
    public uint SoaSerial { get; init; } = 1;
}
