using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using VSwitch.Tests.Scenarios;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.CrossCheck;

/// <summary>
/// A scenario's tables as the tests read them: the hosts and ethers files parsed in a few lines
/// of test code, sharing nothing with the switch's readers and snapshots, and what a correct
/// responder must answer from them.
/// </summary>
/// <remarks>Names are compared as lower-case wire bytes (hex), so labels holding any byte,
/// dots included, compare exactly as DNS compares them (RFC 4343: ASCII letters fold, nothing
/// else does).</remarks>
internal sealed class TableModel
{
    private readonly Dictionary<string, List<IPAddress>> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _reverse = new(StringComparer.Ordinal);
    private readonly Dictionary<IPAddress, PhysicalAddress> _neighbors = [];
    private readonly List<byte[][]> _nameLabels = [];
    private readonly List<byte[][]> _reverseLabels = [];

    private TableModel(IReadOnlyList<string> zones, uint ttl)
    {
        Zones = zones.Select(z => Labels(TestDns.Name(z))).ToArray();
        Ttl = ttl;
    }

    /// <summary>The local zones, as lower-case labels.</summary>
    public byte[][][] Zones { get; }

    public uint Ttl { get; }

    /// <summary>Reads <c>hosts</c>, <c>ethers</c> and the zones and TTL of <c>scenario.json</c> in a capture folder.</summary>
    public static TableModel Load(string dir)
    {
        ScenarioTables tables = ScenarioFiles.ReadTopology(dir).Tables
            ?? throw new InvalidDataException(dir + " has no tables");
        var model = new TableModel(tables.Zones, (uint)(tables.DnsTtl ?? 60)) { NsName = tables.NsName };
        // The switch's own DNS addresses answer ARP and ND from its responder MAC, 02:56:53:00:00:01.
        foreach (string a in tables.DnsAddresses ?? []) model._dnsAddresses.Add(IPAddress.Parse(a));
        foreach (string[] fields in Lines(Path.Combine(dir, "hosts")))
        {
            IPAddress address = IPAddress.Parse(fields[0]);
            foreach (string name in fields.Skip(1))
            {
                string key = Key(TestDns.Name(name));
                if (!model._names.TryGetValue(key, out List<IPAddress>? list))
                {
                    model._names[key] = list = [];
                    model._nameLabels.Add(Labels(TestDns.Name(name)));
                }
                if (!list.Contains(address)) list.Add(address);
            }
            // The first line for an address names it in reverse, spelled as written.
            byte[] reverse = TestDns.Name(ReverseName(address));
            if (model._reverse.TryAdd(Key(reverse), fields[1].TrimEnd('.'))) model._reverseLabels.Add(Labels(reverse));
        }
        foreach (string[] fields in Lines(Path.Combine(dir, "ethers")))
        {
            var mac = PhysicalAddress.Parse(fields[0].Replace(':', '-').ToUpperInvariant());
            if (IPAddress.TryParse(fields[1], out IPAddress? address)) model._neighbors[address] = mac;
            else foreach (IPAddress a in model._names[Key(TestDns.Name(fields[1]))]) model._neighbors[a] = mac;
        }
        return model;
    }

    private readonly List<IPAddress> _dnsAddresses = [];

    /// <summary>The MAC that answers for <paramref name="address"/>: the responder's for a DNS address, else the ethers table's, or null.</summary>
    public PhysicalAddress? NeighborOf(IPAddress address) =>
        _dnsAddresses.Contains(address) ? PhysicalAddress.Parse("02-56-53-00-00-01") : _neighbors.GetValueOrDefault(address);

    /// <summary>What a correct responder answers for a question, or null when it must forward the query.</summary>
    /// <param name="question">The question name in wire format, as asked.</param>
    /// <param name="type">The question type.</param>
    public Expected? Expect(byte[] question, ushort type)
    {
        string key = Key(question);
        byte[][] labels = Labels(question);
        // The innermost zone holding the name answers for it.
        byte[][]? zone = Zones.Where(z => IsAtOrBelow(labels, z)).MaxBy(z => z.Length);

        if (type == TestDns.TypePtr && _reverse.TryGetValue(key, out string? target))
            return new Expected(0, [new Ptr(target)], null, false);
        // Inside a local zone a name exists when it is the apex, has records (a reverse name with a
        // PTR record included), or has a name with records below it (RFC 8020).
        bool exists = _names.ContainsKey(key) ||
            (zone is not null && (labels.Length == zone.Length || _reverse.ContainsKey(key) ||
                _nameLabels.Concat(_reverseLabels).Any(n => n.Length > labels.Length && IsAtOrBelow(n, labels))));
        if (exists)
        {
            // Meta-queries but ANY are forwarded; so is, outside the local zones, any type but the
            // address types, which a real server may hold for a public name the hosts file overrides.
            if (type is >= 128 and < TestDns.TypeAny) return null;
            if (zone is null && type is not (TestDns.TypeA or TestDns.TypeAaaa or TestDns.TypeAny)) return null;
            List<IPAddress> addresses = _names.GetValueOrDefault(key) ?? [];
            IPAddress[] v4 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToArray();
            IPAddress[] v6 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).ToArray();
            bool apex = zone is not null && labels.Length == zone.Length;
            object[] answers = type switch
            {
                TestDns.TypeA => v4,
                TestDns.TypeAaaa => v6,
                // RFC 8482 4.1: the address records, IPv4 first; at an apex without addresses, the SOA.
                TestDns.TypeAny when v4.Length + v6.Length > 0 => [.. v4, .. v6],
                TestDns.TypeSoa or TestDns.TypeAny when apex => [new Soa()],
                TestDns.TypeNs when apex && NsName is not null => [new Ns(NsName, _names.GetValueOrDefault(Key(TestDns.Name(NsName))) ?? [])],
                _ => [],
            };
            return new Expected(0, answers, zone, zone is not null && answers.Length == 0);
        }
        return zone is null ? null : new Expected(3, [], zone, true);
    }

    /// <summary>A correct answer: the RCODE, the answer records (<see cref="IPAddress"/>, <see cref="Ptr"/>,
    /// <see cref="Soa"/> or <see cref="Ns"/>), the zone holding the name, and whether that zone's SOA goes in the authority section.</summary>
    public sealed record Expected(int Rcode, object[] Answers, byte[][]? Zone, bool SoaInAuthority);

    /// <summary>A PTR answer: the target name as the hosts file spells it.</summary>
    public sealed record Ptr(string Target);

    /// <summary>An SOA answer for the zone apex.</summary>
    public sealed record Soa;

    /// <summary>An NS answer at the zone apex: the configured server name and its addresses as glue.</summary>
    public sealed record Ns(string Target, List<IPAddress> Glue);

    /// <summary>The name server the zones' NS answers name (<c>dns-ns-name</c>), or null.</summary>
    public string? NsName { get; private init; }

    /// <summary>The reverse-lookup name of an address (RFC 1035 3.5, RFC 3596 2.5).</summary>
    public static string ReverseName(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork
            ? string.Join('.', b.Reverse()) + ".in-addr.arpa"
            : string.Join('.', Convert.ToHexStringLower(b).Reverse()) + ".ip6.arpa";
    }

    /// <summary>The labels of a wire name, each folded to lower case; bounded, never throws on a bad name.</summary>
    public static byte[][] Labels(ReadOnlySpan<byte> wire)
    {
        var labels = new List<byte[]>();
        for (int i = 0; i < wire.Length && wire[i] != 0 && i + 1 + wire[i] <= wire.Length; i += 1 + wire[i])
            labels.Add(Fold(wire.Slice(i + 1, wire[i])));
        return [.. labels];
    }

    private static byte[] Fold(ReadOnlySpan<byte> label)
    {
        var b = label.ToArray();
        for (int i = 0; i < b.Length; i++)
            if (b[i] is >= (byte)'A' and <= (byte)'Z') b[i] += 32;
        return b;
    }

    /// <summary>A name as a dictionary key: its lower-case wire form in hex.</summary>
    public static string Key(ReadOnlySpan<byte> wire) =>
        string.Concat(Labels(wire).Select(l => ((byte)l.Length).ToString("x2") + Convert.ToHexStringLower(l))) + "00";

    /// <summary>Whether <paramref name="name"/> is <paramref name="zone"/> or below it, label by label.</summary>
    public static bool IsAtOrBelow(byte[][] name, byte[][] zone)
    {
        if (name.Length < zone.Length) return false;
        for (int i = 1; i <= zone.Length; i++)
            if (!name[^i].AsSpan().SequenceEqual(zone[^i])) return false;
        return true;
    }

    // hosts(5)/ethers(5) lines: '#' to the end of the line is a comment; fields are whitespace-separated.
    private static IEnumerable<string[]> Lines(string path) =>
        File.ReadAllLines(path)
            .Select(line => line.Split('#')[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 2);
}
