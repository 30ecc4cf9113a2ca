using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using VSwitch.Datapath.Frames;

namespace VSwitch.Datapath.Tables;

/// <summary>
/// One immutable snapshot of everything the responders answer from: names (A, AAAA), reverse
/// names (PTR), neighbours (ARP, ND), local zones and DNS settings.
/// </summary>
/// <remarks>
/// <para>The datapath reads a snapshot through one reference and never locks; a change builds
/// a new snapshot and swaps the reference (<c>Tenancy.TableBinding</c>). The three maps are
/// <see cref="BlobMap"/>s, so an edit copies only the shards it touches: the new snapshot
/// shares everything else with the old one.</para>
/// <para>Keys: names map, the lower-case wire name; reverse and neighbour maps, the 4 or 16
/// address bytes. Values: a <see cref="NameRecord"/>; the canonical name in wire format as
/// written in the hosts file; six MAC bytes.</para>
/// </remarks>
public sealed class PeepholeTables
{
    public static readonly PeepholeTables Empty = new(BlobMap.Empty, BlobMap.Empty, BlobMap.Empty, BlobMap.Empty, new DnsSettings(), []);

    private PeepholeTables(BlobMap names, BlobMap reverse, BlobMap neighbors, BlobMap leases, DnsSettings settings, IReadOnlyList<DhcpScope> dhcp)
    {
        Names = names;
        Reverse = reverse;
        Neighbors = neighbors;
        Leases = leases;
        Settings = settings;
        DhcpScopes = dhcp;
        Zones = settings.Zones.Select(DnsName.KeyFromText).ToArray();
        NsName = settings.NsName is null ? null : DnsName.FromText(settings.NsName);
        foreach (IPAddress a in settings.Addresses)
        {
            if (a.AddressFamily == AddressFamily.InterNetwork) _dns4 = a.GetAddressBytes();
            else if (a.AddressFamily == AddressFamily.InterNetworkV6) _dns6 = a.GetAddressBytes();
        }
    }

    /// <summary>The switch's own MAC, a locally administered one ("VS" in its second and third
    /// bytes): the DNS address answers ARP and ND with it, and DHCP replies come from it when the
    /// server identifier has no MAC of its own in the ethers table.</summary>
    public const ulong ResponderMac = 0x02_56_53_00_00_01UL;

    /// <summary>True when <paramref name="address"/> (4 or 16 bytes) is one of the switch's DNS addresses.</summary>
    public bool IsDnsAddress(ReadOnlySpan<byte> address) => address.SequenceEqual(address.Length == 4 ? _dns4 : _dns6) && !address.IsEmpty;

    // The DNS addresses (DnsSettings.Addresses), 4 and 16 bytes, or empty.
    private readonly byte[] _dns4 = [], _dns6 = [];

    public BlobMap Names { get; }
    public BlobMap Reverse { get; }

    /// <summary>The name a PTR query for <paramref name="address"/> (4 or 16 bytes) is answered with:
    /// the canonical name of the first hosts line that has the address.</summary>
    public bool TryGetPtrName(scoped ReadOnlySpan<byte> address, out ReadOnlySpan<byte> name)
    {
        name = default;
        return Reverse.TryGet(address, out ReadOnlySpan<byte> lines) && ReverseLines.TryGetFirstName(lines, Names, address, out name);
    }
    public BlobMap Neighbors { get; }
    /// <summary>The ethers table the other way round: MAC (6 bytes) to its IPv4 addresses (4 bytes each), for DHCP.</summary>
    public BlobMap Leases { get; }
    public DnsSettings Settings { get; }
    /// <summary>The DHCP scopes answered from these tables (none: the DHCP responder is off).</summary>
    public IReadOnlyList<DhcpScope> DhcpScopes { get; }

    /// <summary>The same tables with these DHCP scopes.</summary>
    public PeepholeTables WithDhcp(IReadOnlyList<DhcpScope> scopes) => new(Names, Reverse, Neighbors, Leases, Settings, scopes);

    /// <summary>The scope serving <paramref name="vlan"/>, if any.</summary>
    public DhcpScope? DhcpScopeFor(ushort vlan)
    {
        foreach (DhcpScope s in DhcpScopes)
            if (s.Vlan == vlan) return s;
        return null;
    }

    /// <summary>The IPv4 address the ethers table gives <paramref name="mac"/> inside <paramref name="scope"/>.</summary>
    public bool TryGetLease(ReadOnlySpan<byte> mac, DhcpScope scope, out uint address)
    {
        if (Leases.TryGet(mac, out ReadOnlySpan<byte> addresses))
        {
            for (int i = 0; i + 4 <= addresses.Length; i += 4)
            {
                uint a = BinaryPrimitives.ReadUInt32BigEndian(addresses[i..]);
                if (scope.Contains(a) && a != scope.Network && a != scope.Broadcast)
                {
                    address = a;
                    return true;
                }
            }
        }
        address = 0;
        return false;
    }

    /// <summary>The local zones as lower-case wire names.</summary>
    public byte[][] Zones { get; }

    /// <summary>The zones' name server (<see cref="DnsSettings.NsName"/>) as a wire name, case as configured.</summary>
    public byte[]? NsName { get; }

    /// <summary>The MAC that owns an IPv4 address: the responder's for the DNS address, else the ethers table's.</summary>
    public bool TryGetNeighbor(uint ipv4, out ulong mac)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(key, ipv4);
        return TryGetNeighbor(key, out mac);
    }

    /// <summary>The MAC that owns an address (4 or 16 bytes): the responder's for a DNS address, else the ethers table's.</summary>
    public bool TryGetNeighbor(ReadOnlySpan<byte> address, out ulong mac)
    {
        if (address.SequenceEqual(address.Length == 4 ? _dns4 : _dns6))
        {
            mac = ResponderMac;
            return true;
        }
        if (Neighbors.TryGet(address, out ReadOnlySpan<byte> value))
        {
            mac = MacAddress.Read(value);
            return true;
        }
        mac = 0;
        return false;
    }

    /// <summary>Builds a snapshot from parsed table files. Ethers lines naming a host the hosts
    /// table does not have are errors, reported with their file and line.</summary>
    public static PeepholeTables Build(IEnumerable<HostsEntry> hosts, IEnumerable<EthersEntry> ethers, DnsSettings settings,
        string ethersFile, out List<TableError> errors)
    {
        var builder = new TableBuilder(ethersFile);
        foreach (HostsEntry h in hosts) builder.AddHost(h);
        foreach (EthersEntry e in ethers) builder.AddEthers(e);
        errors = builder.Errors;
        return builder.Build(settings);
    }

    internal static PeepholeTables FromMaps(BlobMap names, BlobMap reverse, BlobMap neighbors, BlobMap leases, DnsSettings settings) =>
        new(names, reverse, neighbors, leases, settings, []);

    /// <summary>A snapshot with one more hosts line: <paramref name="names"/> also resolve to <paramref name="address"/>.</summary>
    public PeepholeTables WithHost(IPAddress address, IReadOnlyList<string> names)
    {
        byte[] bytes = address.GetAddressBytes();
        var changes = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        foreach (string name in names)
        {
            byte[] key = DnsName.KeyFromText(name);
            var rec = (V4: new List<uint>(), V6: new List<byte[]>());
            if (Names.TryGet(key, out ReadOnlySpan<byte> old))
            {
                var r = new NameRecord(old);
                for (int i = 0; i < r.IPv4Count; i++) rec.V4.Add(r.IPv4(i));
                for (int i = 0; i < r.IPv6Count; i++) rec.V6.Add(r.IPv6(i).ToArray());
            }
            AddAddress(rec, bytes);
            changes[key] = NameRecord.Encode(0, rec.V4, rec.V6);
        }
        var withEnts = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        foreach (var (k, v) in changes) withEnts[k] = v!;
        bool named = Reverse.TryGet(bytes, out ReadOnlySpan<byte> lines);
        if (!named) AddReverseName(withEnts.TryAdd, Zones, bytes, Names);
        AddEmptyNonTerminals(withEnts.Keys.ToList(), withEnts.TryAdd, Zones, Names);
        foreach (var (k, v) in withEnts) changes[k] = v;
        // The line goes after the address's other lines: the first line keeps naming it.
        BlobMap reverse = Reverse.With([new(bytes, ReverseLines.Append(lines, names.Select(DnsName.FromText).ToList()))]);
        return new PeepholeTables(Names.With(changes), reverse, Neighbors, Leases, Settings, DhcpScopes);
    }

    /// <summary>A snapshot without <paramref name="name"/>: its addresses, and its place on every hosts
    /// line of those addresses, so that the first line left names each address in reverse, as a
    /// full load of the edited file would.</summary>
    /// <remarks>
    /// <para>Inside a local zone, a name that is the zone's apex or still has names below it keeps
    /// existing as an empty non-terminal (RFC 8020): answering NXDOMAIN for it would tell a
    /// resolver that the names below it are gone too. Finding those names walks the whole names
    /// map once, which a control-plane edit can afford.</para>
    /// <para>Empty non-terminals the name created are kept: they answer NODATA rather than
    /// NXDOMAIN until the next full load, which is harmless.</para>
    /// </remarks>
    public PeepholeTables WithoutName(string name)
    {
        byte[] key = DnsName.KeyFromText(name);
        if (!Names.TryGet(key, out ReadOnlySpan<byte> old)) return this;
        var r = new NameRecord(old);
        var reverseChanges = new List<KeyValuePair<byte[], byte[]?>>();
        for (int i = 0; i < r.IPv4Count + r.IPv6Count; i++)
        {
            byte[] address = i < r.IPv4Count ? BigEndian(r.IPv4(i)) : r.IPv6(i - r.IPv4Count).ToArray();
            if (Reverse.TryGet(address, out ReadOnlySpan<byte> lines))
                reverseChanges.Add(new(address, ReverseLines.Without(lines, key)));
        }
        byte[]? replacement = MustStayAsEmptyNonTerminal(key) ? NameRecord.Encode(NameRecord.EmptyNonTerminal, [], []) : null;
        return new PeepholeTables(Names.With([new(key, replacement)]), Reverse.With(reverseChanges), Neighbors, Leases, Settings, DhcpScopes);
    }

    // A zone apex always exists; any other name inside a zone exists while a name below it does.
    private bool MustStayAsEmptyNonTerminal(byte[] key)
    {
        bool inZone = false;
        foreach (byte[] zone in Zones)
        {
            if (key.AsSpan().SequenceEqual(zone)) return true;
            inZone |= DnsName.IsAtOrBelow(key, zone, out _);
        }
        return inZone && Names.AnyKey(k => k.Length > key.Length && DnsName.IsAtOrBelow(k, key, out _));
    }

    /// <summary>A snapshot where <paramref name="address"/> belongs to <paramref name="mac"/> (or to nobody, when null).</summary>
    public PeepholeTables WithNeighbor(IPAddress address, ulong? mac)
    {
        byte[]? value = null;
        if (mac is ulong m)
        {
            value = new byte[6];
            MacAddress.Write(value, m);
        }
        byte[] key = address.GetAddressBytes();
        BlobMap leases = Leases;
        if (key.Length == 4)
        {
            // Keep the MAC-to-address direction in step: drop the address from its old owner, add it to the new.
            var changes = new List<KeyValuePair<byte[], byte[]?>>();
            if (Neighbors.TryGet(key, out ReadOnlySpan<byte> oldMac)) changes.Add(LeaseChange(oldMac.ToArray(), key, add: false));
            if (value is not null) changes.Add(LeaseChange(value, key, add: true, after: changes));
            leases = Leases.With(changes);
        }
        return new PeepholeTables(Names, Reverse, Neighbors.With([new(key, value)]), leases, Settings, DhcpScopes);
    }

    private KeyValuePair<byte[], byte[]?> LeaseChange(byte[] mac, byte[] address, bool add, List<KeyValuePair<byte[], byte[]?>>? after = null)
    {
        var current = new List<byte[]>();
        KeyValuePair<byte[], byte[]?>? earlier = after?.FirstOrDefault(c => c.Key.AsSpan().SequenceEqual(mac));
        ReadOnlySpan<byte> existing = earlier is { Key: not null } e ? e.Value : Leases.TryGet(mac, out ReadOnlySpan<byte> v) ? v : default;
        for (int i = 0; i + 4 <= existing.Length; i += 4)
            if (!existing.Slice(i, 4).SequenceEqual(address)) current.Add(existing.Slice(i, 4).ToArray());
        if (add) current.Add(address);
        return new(mac, current.Count == 0 ? null : current.SelectMany(a => a).ToArray());
    }

    internal static Dictionary<byte[], byte[]> LeasesOf(Dictionary<byte[], byte[]> neighbors)
    {
        var leases = new Dictionary<byte[], List<byte>>(ByteArrayComparer.Instance);
        foreach (var (address, mac) in neighbors)
        {
            if (address.Length != 4) continue;
            if (!leases.TryGetValue(mac, out var list)) leases[mac] = list = [];
            list.AddRange(address);
        }
        return leases.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), ByteArrayComparer.Instance);
    }

    internal static void AddAddress((List<uint> V4, List<byte[]> V6) rec, byte[] address)
    {
        if (address.Length == 4)
        {
            uint v4 = BinaryPrimitives.ReadUInt32BigEndian(address);
            if (!rec.V4.Contains(v4)) rec.V4.Add(v4);
        }
        else if (!rec.V6.Any(a => a.AsSpan().SequenceEqual(address)))
        {
            rec.V6.Add(address);
        }
    }

    // A reverse name inside a local zone (18.198.in-addr.arpa, say) exists because it has a PTR
    // record: it goes in the names map as an empty non-terminal, so that other types get NODATA
    // rather than an NXDOMAIN a resolver would also apply to the PTR (RFC 2308 5), and so that
    // the names above it get theirs from AddEmptyNonTerminals. PTR queries never reach it: the
    // reverse map answers them first.
    internal static void AddReverseName(Func<byte[], byte[], bool> tryAdd, byte[][] zones, byte[] address, BlobMap? existing = null)
    {
        if (zones.Length == 0) return;
        byte[] name = ReverseName.ToWire(address);
        if (existing?.ContainsKey(name) == true || !zones.Any(z => DnsName.IsAtOrBelow(name, z, out _))) return;
        tryAdd(name, NameRecord.Encode(NameRecord.EmptyNonTerminal, [], []));
    }

    // Every ancestor of a name inside a local zone, down to the apex, exists (RFC 8020): give
    // those that have no records of their own an empty record so they answer NODATA.
    internal static void AddEmptyNonTerminals(List<byte[]> names, Func<byte[], byte[], bool> tryAdd, byte[][] zones, BlobMap? existing = null)
    {
        if (zones.Length == 0) return;
        byte[] ent = NameRecord.Encode(NameRecord.EmptyNonTerminal, [], []);
        foreach (byte[] zone in zones)
        {
            if (existing?.ContainsKey(zone) != true) tryAdd(zone, ent);
        }
        foreach (byte[] name in names)
        {
            foreach (byte[] zone in zones)
            {
                if (!DnsName.IsAtOrBelow(name, zone, out _)) continue;
                ReadOnlySpan<byte> parent = DnsName.Parent(name);
                while (parent.Length > zone.Length)
                {
                    byte[] p = parent.ToArray();
                    if (existing?.ContainsKey(p) != true) tryAdd(p, ent);
                    parent = DnsName.Parent(parent);
                }
            }
        }
    }

    internal static byte[] BigEndian(uint v4)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v4);
        return b;
    }
}
