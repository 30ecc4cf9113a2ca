using System.Buffers.Binary;
using System.Net;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Tables;
using VSwitch.Tests.CrossCheck;
using static VSwitch.Tests.Frames.TestPackets;
using VSwitch.Datapath.Counters;

namespace VSwitch.Tests.Tables;

public class PeepholeTablesTests
{
    private const string EthersFile = "/etc/vswitch/ethers";
    private const ulong WebMac = 0x0200_0000_0020, DbMac = 0x0200_0000_0021, OtherMac = 0x0200_0000_00ee;

    private static readonly DnsSettings Settings = new() { Zones = ["cluster.local"] };

    private static HostsEntry Host(string address, string name, int line, params string[] aliases) =>
        new(IPAddress.Parse(address), name, aliases, line);

    private static readonly HostsEntry[] Hosts =
    [
        Host("198.18.0.20", "Web.Cluster.Local", 1, "web"),
        Host("2001:db8::20", "web.cluster.local", 2),
        Host("198.18.0.21", "db.cluster.local", 3),
        Host("198.18.0.30", "api.svc.cluster.local", 4),
        Host("198.18.0.20", "alias-of-web.cluster.local", 5),
        Host("2001:db8::40", "a.b.example", 6),
    ];

    private static PeepholeTables Build(params EthersEntry[] ethers)
    {
        PeepholeTables tables = PeepholeTables.Build(Hosts, ethers, Settings, EthersFile, out List<TableError> errors);
        Assert.Empty(errors);
        return tables;
    }

    private const string EmptyNonTerminal = "1||";

    /// <summary>The names-map record for <paramref name="name"/> as "flags|IPv4s|IPv6s", or null.</summary>
    private static string? Record(PeepholeTables tables, string name)
    {
        if (!tables.Names.TryGet(DnsName.KeyFromText(name), out ReadOnlySpan<byte> value)) return null;
        var r = new NameRecord(value);
        var v4 = new string[r.IPv4Count];
        for (int i = 0; i < v4.Length; i++)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, r.IPv4(i));
            v4[i] = new IPAddress(b).ToString();
        }
        var v6 = new string[r.IPv6Count];
        for (int i = 0; i < v6.Length; i++) v6[i] = new IPAddress(r.IPv6(i)).ToString();
        return $"{r.Flags}|{string.Join(',', v4)}|{string.Join(',', v6)}";
    }

    private static string? Ptr(PeepholeTables tables, string address) =>
        tables.TryGetPtrName(IPAddress.Parse(address).GetAddressBytes(), out ReadOnlySpan<byte> target) ? DnsName.ToText(target) : null;

    private static ulong? Neighbor(PeepholeTables tables, string address) =>
        tables.TryGetNeighbor(IPAddress.Parse(address).GetAddressBytes(), out ulong mac) ? mac : null;

    [Fact]
    public void Build_HostsEntries_EveryNameResolvesToEveryAddress()
    {
        PeepholeTables tables = Build();
        Assert.Equal("0|198.18.0.20|2001:db8::20", Record(tables, "web.cluster.local"));
        Assert.Equal("0|198.18.0.20|", Record(tables, "WEB"));
        Assert.Equal("0|198.18.0.21|", Record(tables, "db.cluster.local"));
        Assert.Equal("0|198.18.0.20|", Record(tables, "alias-of-web.cluster.local"));
        Assert.Null(Record(tables, "nope.cluster.local"));
    }

    [Fact]
    public void Build_SameAddressOnTwoLines_FirstLineNamesItInReverse()
    {
        PeepholeTables tables = Build();
        // Case is kept as written: the PTR target is the hosts file's spelling.
        Assert.Equal("Web.Cluster.Local", Ptr(tables, "198.18.0.20"));
        Assert.Equal("web.cluster.local", Ptr(tables, "2001:db8::20"));
        Assert.Equal("a.b.example", Ptr(tables, "2001:db8::40"));
        Assert.Null(Ptr(tables, "198.18.0.99"));
    }

    [Fact]
    public void Build_EthersHostName_CoversIPv4AndIPv6()
    {
        PeepholeTables tables = Build(new EthersEntry(WebMac, null, "WEB.cluster.local.", 4));
        Assert.Equal(WebMac, Neighbor(tables, "198.18.0.20"));
        Assert.Equal(WebMac, Neighbor(tables, "2001:db8::20"));
        Assert.True(tables.TryGetNeighbor(0xC612_0014u, out ulong mac));
        Assert.Equal(WebMac, mac);
        Assert.Null(Neighbor(tables, "198.18.0.21"));
    }

    [Fact]
    public void Build_EthersAddress_MapsThatAddressOnly()
    {
        PeepholeTables tables = Build(new EthersEntry(DbMac, IPAddress.Parse("198.18.0.21"), null, 1));
        Assert.Equal(DbMac, Neighbor(tables, "198.18.0.21"));
        Assert.Null(Neighbor(tables, "198.18.0.20"));
    }

    [Fact]
    public void Build_EthersUnknownHostName_ErrorWithFileAndLine()
    {
        EthersEntry[] ethers =
        [
            new(DbMac, IPAddress.Parse("198.18.0.21"), null, 2),
            new(WebMac, null, "nope.cluster.local", 7),
        ];
        PeepholeTables.Build(Hosts, ethers, Settings, EthersFile, out List<TableError> errors);
        TableError error = Assert.Single(errors);
        Assert.Equal(EthersFile, error.File);
        Assert.Equal(7, error.Line);
        Assert.Contains("nope.cluster.local", error.Reason, StringComparison.Ordinal);
        Assert.StartsWith(EthersFile + ":7: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ZoneApexAndEmptyNonTerminals_PresentAsEmptyRecords()
    {
        PeepholeTables tables = Build();
        Assert.Equal(EmptyNonTerminal, Record(tables, "cluster.local"));
        Assert.Equal(EmptyNonTerminal, Record(tables, "svc.cluster.local"));
        // Nothing above the apex, and nothing invented outside the zones.
        Assert.Null(Record(tables, "local"));
        Assert.Null(Record(tables, "b.example"));
        Assert.Null(Record(tables, "example"));
        Assert.Equal([DnsName.KeyFromText("cluster.local")], tables.Zones);
    }

    [Fact]
    public void Build_HostAtTheApex_KeepsItsAddresses()
    {
        PeepholeTables tables = PeepholeTables.Build([Host("198.18.0.1", "cluster.local", 1)], [], Settings, EthersFile, out _);
        Assert.Equal("0|198.18.0.1|", Record(tables, "cluster.local"));
    }

    [Fact]
    public void Build_LocalReverseZone_ReverseNamesAndTheirAncestorsExist()
    {
        PeepholeTables tables = PeepholeTables.Build(Hosts, [], new DnsSettings { Zones = ["cluster.local", "18.198.in-addr.arpa"] },
            EthersFile, out _);
        Assert.Equal(EmptyNonTerminal, Record(tables, "20.0.18.198.in-addr.arpa"));
        Assert.Equal(EmptyNonTerminal, Record(tables, "0.18.198.in-addr.arpa"));
        Assert.Equal(EmptyNonTerminal, Record(tables, "18.198.in-addr.arpa"));
        Assert.Null(Record(tables, "198.in-addr.arpa"));
        // Reverse names outside the local zones are not invented.
        Assert.Null(Record(tables, TableModel.ReverseName(IPAddress.Parse("2001:db8::20"))));
        Assert.Null(Record(Build(), "20.0.18.198.in-addr.arpa"));
    }

    [Fact]
    public void WithHost_NewAddressInLocalReverseZone_ReverseNameExists()
    {
        PeepholeTables before = PeepholeTables.Build(Hosts, [], new DnsSettings { Zones = ["18.198.in-addr.arpa"] }, EthersFile, out _);
        PeepholeTables after = before.WithHost(IPAddress.Parse("198.18.7.1"), ["new.cluster.local"]);
        Assert.Equal(EmptyNonTerminal, Record(after, "1.7.18.198.in-addr.arpa"));
        Assert.Equal(EmptyNonTerminal, Record(after, "7.18.198.in-addr.arpa"));
        Assert.Null(Record(before, "7.18.198.in-addr.arpa"));
    }

    [Fact]
    public void WithHost_NewName_VisibleInNewSnapshotOnly()
    {
        PeepholeTables before = Build();
        PeepholeTables after = before.WithHost(IPAddress.Parse("198.18.0.40"), ["New.Deep.Cluster.Local", "new-alias"]);

        Assert.Equal("0|198.18.0.40|", Record(after, "new.deep.cluster.local"));
        Assert.Equal("0|198.18.0.40|", Record(after, "new-alias"));
        Assert.Equal("New.Deep.Cluster.Local", Ptr(after, "198.18.0.40"));
        Assert.Equal(EmptyNonTerminal, Record(after, "deep.cluster.local"));

        Assert.Null(Record(before, "new.deep.cluster.local"));
        Assert.Null(Record(before, "deep.cluster.local"));
        Assert.Null(Ptr(before, "198.18.0.40"));
        // The rest is untouched in both.
        Assert.Equal(Record(before, "web.cluster.local"), Record(after, "web.cluster.local"));
        Assert.Equal(Record(before, "cluster.local"), Record(after, "cluster.local"));
    }

    [Fact]
    public void WithHost_ExistingName_AddsTheAddress()
    {
        PeepholeTables before = Build();
        PeepholeTables after = before.WithHost(IPAddress.Parse("2001:db8::21"), ["db.cluster.local"]);
        Assert.Equal("0|198.18.0.21|2001:db8::21", Record(after, "db.cluster.local"));
        Assert.Equal("0|198.18.0.21|", Record(before, "db.cluster.local"));
    }

    [Fact]
    public void WithHost_AddressAlreadyNamed_ReverseKeepsTheFirstName()
    {
        PeepholeTables after = Build().WithHost(IPAddress.Parse("198.18.0.21"), ["second-name.cluster.local"]);
        Assert.Equal("db.cluster.local", Ptr(after, "198.18.0.21"));
    }

    [Fact]
    public void WithHost_EmptyNonTerminal_BecomesAHost()
    {
        PeepholeTables after = Build().WithHost(IPAddress.Parse("198.18.0.31"), ["svc.cluster.local"]);
        Assert.Equal("0|198.18.0.31|", Record(after, "svc.cluster.local"));
    }

    [Fact]
    public void WithoutName_RemovesTheNameAndItsReverse_OldSnapshotUnchanged()
    {
        PeepholeTables before = Build();
        PeepholeTables after = before.WithoutName("DB.cluster.local");

        Assert.Null(Record(after, "db.cluster.local"));
        Assert.Null(Ptr(after, "198.18.0.21"));
        Assert.NotNull(Record(before, "db.cluster.local"));
        Assert.Equal("db.cluster.local", Ptr(before, "198.18.0.21"));
        Assert.NotNull(Record(after, "web.cluster.local"));
    }

    [Fact]
    public void WithoutName_ReverseNamesAnotherHost_ReverseKept()
    {
        // 198.18.0.20 is named Web.Cluster.Local in reverse; removing its other name leaves that alone.
        PeepholeTables after = Build().WithoutName("alias-of-web.cluster.local");
        Assert.Null(Record(after, "alias-of-web.cluster.local"));
        Assert.Equal("Web.Cluster.Local", Ptr(after, "198.18.0.20"));
    }

    [Fact]
    public void WithoutName_NameWithNamesBelowIt_StaysAnEmptyNonTerminal()
    {
        PeepholeTables tables = Build().WithHost(IPAddress.Parse("198.18.0.31"), ["svc.cluster.local"]);
        PeepholeTables after = tables.WithoutName("svc.cluster.local");
        // api.svc.cluster.local still exists, so svc.cluster.local must answer NODATA, not NXDOMAIN (RFC 8020).
        Assert.Equal(EmptyNonTerminal, Record(after, "svc.cluster.local"));
        Assert.Null(Ptr(after, "198.18.0.31"));
        Assert.Equal("0|198.18.0.30|", Record(after, "api.svc.cluster.local"));
    }

    /// <summary>
    /// Bug: removing a name that had names below it deleted it outright, so the responder answered
    /// NXDOMAIN for it while api.svc.cluster.local still resolved (RFC 8020 says NXDOMAIN means
    /// nothing below exists either). A asks: A svc.cluster.local?
    /// </summary>
    private const string QuerySvcClusterLocal =
        "02000000005302000000000a0800" +
        "4500003f000040004011ae4ac612000ac6120035" +
        "9c750035002be6b5" +
        "5001010000010000000000000373766307636c7573746572056c6f63616c0000010001";

    [Fact]
    public void WithoutName_ParentOfAHost_AnsweredNoDataNotNxDomain()
    {
        PeepholeTables tables = Build().WithHost(IPAddress.Parse("198.18.0.31"), ["svc.cluster.local"]).WithoutName("svc.cluster.local");
        var buffer = new byte[512];
        byte[] query = Hex(QuerySvcClusterLocal);
        query.CopyTo(buffer, 0);

        DnsOutcome? outcome = DnsResponder.TryAnswer(buffer, query.Length, FrameFlags.None, 1500, tables, out int reply);

        Assert.Equal(DnsOutcome.NoData, outcome);
        Assert.True(reply > query.Length);
        Assert.Equal(0, buffer[14 + 20 + 8 + 3] & 0x0F);   // RCODE NOERROR
    }

    [Fact]
    public void WithoutName_ZoneApexHost_StaysAnEmptyNonTerminal()
    {
        PeepholeTables tables = PeepholeTables.Build([Host("198.18.0.1", "cluster.local", 1)], [], Settings, EthersFile, out _);
        PeepholeTables after = tables.WithoutName("cluster.local");
        Assert.Equal(EmptyNonTerminal, Record(after, "cluster.local"));
        Assert.Null(Ptr(after, "198.18.0.1"));
    }

    [Fact]
    public void WithoutName_LeafOutsideZones_Removed()
    {
        PeepholeTables after = Build().WithoutName("a.b.example");
        Assert.Null(Record(after, "a.b.example"));
        Assert.Null(Ptr(after, "2001:db8::40"));
    }

    [Fact]
    public void WithoutName_UnknownName_SameSnapshot()
    {
        PeepholeTables before = Build();
        Assert.Same(before, before.WithoutName("nope.cluster.local"));
    }

    [Fact]
    public void WithNeighbor_AddAndRemove_OldSnapshotUnchanged()
    {
        PeepholeTables before = Build(new EthersEntry(WebMac, null, "web.cluster.local", 1));
        PeepholeTables added = before.WithNeighbor(IPAddress.Parse("198.18.0.21"), DbMac);
        PeepholeTables moved = added.WithNeighbor(IPAddress.Parse("198.18.0.20"), OtherMac);
        PeepholeTables removed = moved.WithNeighbor(IPAddress.Parse("2001:db8::20"), null);

        Assert.Equal(DbMac, Neighbor(added, "198.18.0.21"));
        Assert.Null(Neighbor(before, "198.18.0.21"));
        Assert.Equal(OtherMac, Neighbor(moved, "198.18.0.20"));
        Assert.Equal(WebMac, Neighbor(added, "198.18.0.20"));
        Assert.Null(Neighbor(removed, "2001:db8::20"));
        Assert.Equal(WebMac, Neighbor(moved, "2001:db8::20"));
        // Names are shared, not copied, by a neighbour edit.
        Assert.Same(before.Names, removed.Names);
    }
}
