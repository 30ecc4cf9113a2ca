using System.Text;
using PacketDotNet;
using static VSwitch.Tests.Scenarios.PeepholeFrames;
using static VSwitch.Tests.Scenarios.TestDns;
using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Scenarios;

/// <summary>Peephole scenarios: ARP, neighbour discovery and DNS answered by the switch, and what it must forward.</summary>
/// <remarks>Client A (p1) asks server S (p2, 198.18.0.53, which announces itself first so that it is
/// learned); web (02:..:20) owns 198.18.0.20 and 2001:db8::20 through the ethers table.</remarks>
public static class PeepholeScenarios
{
    public const uint Ttl = 60;
    private const string Zone = "cluster.local";

    public static readonly string HostsFile = BuildHosts();

    public const string EthersFile = """
        # Neighbours the switch answers ARP and ND for.
        02:00:00:00:00:20 web.cluster.local
        02:00:00:00:00:21 198.18.0.21
        02:00:00:00:00:0a 198.18.0.10
        # The IPv6 gateway's link-local address: answered until it advertises itself as a router.
        02:00:00:00:00:01 fe80::1

        """;

    private static readonly Host Web = new("02:00:00:00:00:20", "198.18.0.20");

    public static IEnumerable<Scenario> All()
    {
        yield return DnsAnswers();
        yield return DnsForwarded();
        yield return DnsVlan();
        yield return ArpRequests();
        yield return NeighborSolicitations();
    }

    private static string BuildHosts()
    {
        var b = new StringBuilder();
        b.Append("# Names the switch answers DNS for.\n");
        b.Append("198.18.0.20   web.cluster.local web\n");
        b.Append("2001:db8::20  web.cluster.local\n");
        b.Append("198.18.0.21   db.cluster.local\n");
        b.Append("198.18.0.30   api.svc.cluster.local\n");
        b.Append("2001:db8::40  v6only.example\n");
        for (int i = 1; i <= 40; i++) b.Append($"198.18.1.{i}\tmany.cluster.local\n");
        return b.ToString();
    }

    private static Scenario WithTables(Scenario s) => s.WithTables(HostsFile, EthersFile, [Zone], (int)Ttl);

    // S announces itself so that the switch knows where it is; the announcement reaches everyone else.
    private static byte[] ServerAnnouncement() =>
        Arp(ArpOperation.Request, ServerMac, Broadcast, ServerMac, ServerIp, Mac("00:00:00:00:00:00"), ServerIp);

    private static byte[] Soa(string questionName) => SoaRecord(OffsetOf(questionName, Zone), Ttl, 1, Ttl);

    /// <summary>A query answered by the switch: what A sends, what p1 must get back.</summary>
    private static Scenario Answered(this Scenario s, double t, byte[] query, int rcode, byte[][] answers, byte[][] authority, byte[]? opt = null) =>
        s.Send(t, "p1", Query(A, query), ("p1", Reply(A, TestDns.Reply(query, rcode, false, answers, authority, opt))));

    public static Scenario DnsAnswers()
    {
        byte[] webA = Query(0x1002, "web.cluster.local", TypeA);
        byte[] webAaaa = Query(0x1003, "web.cluster.local", TypeAaaa);
        byte[] mixed = Query(0x1004, "WeB.ClUsTeR.LoCaL", TypeA);
        byte[] ptr4 = Query(0x1005, "20.0.18.198.in-addr.arpa", TypePtr);
        string ip6Reverse = "0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
        byte[] ptr6 = Query(0x1006, ip6Reverse, TypePtr);
        byte[] noData = Query(0x1007, "db.cluster.local", TypeAaaa);
        byte[] nx = Query(0x1008, "nope.cluster.local", TypeA);
        byte[] ent = Query(0x1009, "svc.cluster.local", TypeA);
        byte[] apexA = Query(0x100a, "cluster.local", TypeA);
        byte[] apexSoa = Query(0x100b, "cluster.local", TypeSoa);
        byte[] edns = Query(0x100c, "web.cluster.local", TypeA, ednsSize: 4096, dnssecOk: true);
        byte[] ednsSmall = Query(0x100d, "web.cluster.local", TypeA, ednsSize: 100);
        byte[] badVers = Query(0x100e, "web.cluster.local", TypeA, ednsSize: 1232, ednsVersion: 1);
        byte[] outsideNoData = Query(0x100f, "v6only.example", TypeA);
        byte[] many = Query(0x1010, "many.cluster.local", TypeA, ednsSize: 4096);
        byte[] overV6 = Query(0x1011, "web.cluster.local", TypeAaaa);
        byte[] cdNoRd = Query(0x1012, "db.cluster.local", TypeA, flagsOverride: 0x0010);
        byte[][] manyAnswers = Enumerable.Range(1, 40).Select(i => ARecord(Ttl, $"198.18.1.{i}")).ToArray();

        return WithTables(new Scenario("peephole/dns-answers",
                "DNS queries the switch answers itself from its tables (zone cluster.local, TTL 60): A, AAAA, mixed case " +
                "echoed as asked, PTR for IPv4 and IPv6, NODATA with the SOA, NXDOMAIN with the SOA, an empty non-terminal " +
                "and the zone apex (NODATA, RFC 8020), SOA at the apex, EDNS0 (OPT back with our size and DO copied; a size " +
                "under 512 counts as 512), BADVERS for EDNS version 1, NODATA outside any zone (no SOA), 40 answers under " +
                "EDNS, a query over IPv6, and CD copied with RD clear. Every reply goes to A on p1 only; S never sees them.")
            .Port("p1").Port("p2").Port("p3"))
            .Send(1, "p2", ServerAnnouncement(), "p1", "p3")
            .Answered(2, webA, 0, [ARecord(Ttl, "198.18.0.20")], [])
            .Answered(3, webAaaa, 0, [AaaaRecord(Ttl, "2001:db8::20")], [])
            .Answered(4, mixed, 0, [ARecord(Ttl, "198.18.0.20")], [])
            .Answered(5, ptr4, 0, [PtrRecord(Ttl, "web.cluster.local")], [])
            .Answered(6, ptr6, 0, [PtrRecord(Ttl, "web.cluster.local")], [])
            .Answered(7, noData, 0, [], [Soa("db.cluster.local")])
            .Answered(8, nx, 3, [], [Soa("nope.cluster.local")])
            .Answered(9, ent, 0, [], [Soa("svc.cluster.local")])
            .Answered(10, apexA, 0, [], [Soa("cluster.local")])
            .Answered(11, apexSoa, 0, [Soa("cluster.local")], [])
            .Answered(12, edns, 0, [ARecord(Ttl, "198.18.0.20")], [], Opt(1232, 0, dnssecOk: true))
            .Answered(13, ednsSmall, 0, [ARecord(Ttl, "198.18.0.20")], [], Opt(1232, 0, dnssecOk: false))
            .Answered(14, badVers, 0, [], [], Opt(1232, 1, dnssecOk: false))
            .Answered(15, outsideNoData, 0, [], [])
            .Answered(16, many, 0, manyAnswers, [], Opt(1232, 0, dnssecOk: false))
            .Send(17, "p1", Udp6(A.Mac, ServerMac, ClientIp6, ServerIp6, 40053, 53, overV6),
                ("p1", Udp6(ServerMac, A.Mac, ServerIp6, ClientIp6, 53, 40053,
                    TestDns.Reply(overV6, 0, false, [AaaaRecord(Ttl, "2001:db8::20")], [], null))))
            .Answered(18, cdNoRd, 0, [ARecord(Ttl, "198.18.0.21")], [])
            .Counter("peephole/dns/replied", 11)
            .Counter("peephole/dns/nodata", 4)
            .Counter("peephole/dns/nxdomain", 1)
            .Counter("peephole/dns/badvers", 1)
            .Counter("port/p1/peephole/dns/replied", 11)
            .Counter("peephole/arp/forwarded-gratuitous", 1)
            .Counter("fdb/learned", 2);
    }

    public static Scenario DnsForwarded()
    {
        byte[] miss = Query(0x2001, "example.org", TypeA);
        byte[] serverAnswer = Reply(A, TestDns.Reply(miss, 0, true, [ARecord(300, "198.18.0.99")], [], null));
        byte[] fragment = Query(A, Query(0x2002, "web.cluster.local", TypeA), moreFragments: true);
        byte[] twoQuestions = Query(A, Query(0x2003, "web.cluster.local", TypeA, questions: 2));
        byte[] outsideMx = Query(A, Query(0x2004, "v6only.example", TypeMx));
        byte[] chaos = Query(A, Query(0x2005, "web.cluster.local", TypeA, cls: 3));
        byte[] status = Query(A, Query(0x2006, "web.cluster.local", TypeA, flagsOverride: 0x1000));
        byte[] response = Query(A, Query(0x2007, "web.cluster.local", TypeA, flagsOverride: 0x8100));
        byte[] badChecksum = Query(A, Query(0x2008, "web.cluster.local", TypeA), breakChecksum: true);
        byte[] axfr = Query(A, Query(0x2009, "web.cluster.local", 252));
        byte[] stillAnswered = Query(0x200a, "web.cluster.local", TypeA);
        byte[] ping = Udp(ServerHost, A, "S still lives on p2");

        return WithTables(new Scenario("peephole/dns-forwarded",
                "Queries the switch must forward to S unchanged, each counted: a name outside the tables and zones " +
                "(S's own answer then reaches A), an IPv4 fragment, two questions, MX for a hosts name outside every " +
                "local zone (the tables know only its addresses), class CH, opcode STATUS, a response sent to port 53, a " +
                "bad UDP checksum, a zone transfer (AXFR), and DNS over TCP. " +
                "Afterwards a query is still answered, and S's MAC entry was never moved by the replies.")
            .Port("p1").Port("p2").Port("p3"))
            .Send(1, "p2", ServerAnnouncement(), "p1", "p3")
            .Send(2, "p1", Query(A, miss), "p2")
            .Send(3, "p2", serverAnswer, "p1")
            .Send(4, "p1", fragment, "p2")
            .Send(5, "p1", twoQuestions, "p2")
            .Send(6, "p1", outsideMx, "p2")
            .Send(7, "p1", chaos, "p2")
            .Send(8, "p1", status, "p2")
            .Send(9, "p1", response, "p2")
            .Send(10, "p1", badChecksum, "p2")
            .Send(11, "p1", axfr, "p2")
            .Send(12, "p1", Tcp53(A), "p2")
            .Answered(13, stillAnswered, 0, [ARecord(Ttl, "198.18.0.20")], [])
            .Send(14, "p2", ping, "p1")
            .Counter("peephole/dns/forwarded-not-in-table", 1)
            .Counter("peephole/dns/forwarded-fragment", 1)
            .Counter("peephole/dns/forwarded-multi-question", 1)
            .Counter("peephole/dns/forwarded-not-in", 1)
            .Counter("peephole/dns/forwarded-opcode", 1)
            .Counter("peephole/dns/forwarded-unsupported-type", 2)
            .Counter("peephole/dns/forwarded-tcp", 1)
            .Counter("peephole/dns/malformed", 2)
            .Counter("peephole/dns/replied", 1)
            .Counter("fdb/moved", 0)
            .Counter("peephole/arp/forwarded-gratuitous", 1);
    }

    private static readonly Host ServerHost = new("02:00:00:00:00:53", ServerIp);

    public static Scenario DnsVlan()
    {
        byte[] fromA = Query(0x3001, "web.cluster.local", TypeA);
        byte[] fromC = Query(C, Query(0x3002, "web.cluster.local", TypeA));
        byte[] fromD = Query(0x3003, "db.cluster.local", TypeA);
        byte[] announce = ServerAnnouncement();
        return new Scenario("peephole/dns-vlan",
                "Tables bound to VLAN 10 only. p1 is access VLAN 10 (A), p2 a trunk of 10 and 20 (S in both, and D " +
                "behind it in VLAN 10), p3 access VLAN 20 (C). A's query is answered untagged on p1; D's query, tagged 10 " +
                "on the trunk, is answered tagged 10 back to the trunk; C's query in VLAN 20 has no table and is forwarded " +
                "to S, tagged 20.")
            .WithTables(HostsFile, EthersFile, [Zone], (int)Ttl, vlans: [10])
            .Port("p1", "access:10").Port("p2", "trunk:10,20").Port("p3", "access:20")
            .Send(1, "p2", Tagged(announce, 10), ("p1", announce))
            .Send(2, "p2", Tagged(announce, 20), ("p3", announce))
            .Send(3, "p1", Query(A, fromA), ("p1", Reply(A, TestDns.Reply(fromA, 0, false, [ARecord(Ttl, "198.18.0.20")], [], null))))
            .Send(4, "p3", fromC, ("p2", Tagged(fromC, 20)))
            .Send(5, "p2", Tagged(Query(D, fromD), 10),
                ("p2", Tagged(Reply(D, TestDns.Reply(fromD, 0, false, [ARecord(Ttl, "198.18.0.21")], [], null)), 10)))
            .Counter("peephole/dns/replied", 2)
            .Counter("port/p3/peephole/dns/replied", 0)
            .Counter("peephole/arp/forwarded-gratuitous", 1);
    }

    public static Scenario ArpRequests()
    {
        var zero = Mac("00:00:00:00:00:00");
        var db = Mac("02:00:00:00:00:21");
        return WithTables(new Scenario("peephole/arp",
                "ARP requests answered from the ethers table (by address, and through a host name), a probe from another " +
                "host answered as the address's defender would (target 0.0.0.0), a unicast refresh answered; forwarded: an " +
                "address not in the table, a gratuitous ARP, the owner's own probe, an ARP reply, and a request whose " +
                "Ethernet and ARP senders disagree.")
            .Port("p1").Port("p2").Port("p3"))
            .Send(1, "p1", Arp(ArpOperation.Request, A.Mac, Broadcast, A.Mac, A.Ip, zero, "198.18.0.21"),
                ("p1", Arp(ArpOperation.Response, db, A.Mac, db, "198.18.0.21", A.Mac, A.Ip)))
            .Send(2, "p1", Arp(ArpOperation.Request, A.Mac, Broadcast, A.Mac, A.Ip, zero, Web.Ip),
                ("p1", Arp(ArpOperation.Response, Web.Mac, A.Mac, Web.Mac, Web.Ip, A.Mac, A.Ip)))
            .Send(3, "p1", Arp(ArpOperation.Request, A.Mac, Broadcast, A.Mac, A.Ip, zero, "198.18.0.99"), "p2", "p3")
            .Send(4, "p2", Arp(ArpOperation.Request, Web.Mac, Broadcast, Web.Mac, Web.Ip, zero, Web.Ip), "p1", "p3")
            .Send(5, "p2", Arp(ArpOperation.Request, Web.Mac, Broadcast, Web.Mac, "0.0.0.0", zero, Web.Ip), "p1", "p3")
            .Send(6, "p3", Arp(ArpOperation.Request, D.Mac, Broadcast, D.Mac, "0.0.0.0", zero, Web.Ip),
                ("p3", Arp(ArpOperation.Response, Web.Mac, D.Mac, Web.Mac, Web.Ip, D.Mac, "0.0.0.0")))
            .Send(7, "p1", Arp(ArpOperation.Request, A.Mac, Web.Mac, A.Mac, A.Ip, zero, Web.Ip),
                ("p1", Arp(ArpOperation.Response, Web.Mac, A.Mac, Web.Mac, Web.Ip, A.Mac, A.Ip)))
            .Send(8, "p2", Arp(ArpOperation.Response, Web.Mac, A.Mac, Web.Mac, Web.Ip, A.Mac, A.Ip), "p1")
            .Send(9, "p1", Arp(ArpOperation.Request, A.Mac, Broadcast, B.Mac, A.Ip, zero, Web.Ip), "p2", "p3")
            .Counter("peephole/arp/replied", 4)
            .Counter("peephole/arp/forwarded-not-in-table", 1)
            .Counter("peephole/arp/forwarded-gratuitous", 1)
            .Counter("peephole/arp/forwarded-own-address", 1)
            .Counter("peephole/arp/malformed", 1)
            .Counter("fdb/entries", 3);
    }

    public static Scenario NeighborSolicitations()
    {
        const string WebIp6 = "2001:db8::20";
        var (solicitedIp, solicitedMac) = SolicitedNode(WebIp6);
        var allNodes = Mac("33:33:00:00:00:01");
        var (unknownIp, unknownMac) = SolicitedNode("2001:db8::99");
        return WithTables(new Scenario("peephole/nd",
                "Neighbour solicitations answered from the ethers table (web's IPv6 address comes through its host name): " +
                "to the solicited-node group and unicast, with S and O set, back to A; a DAD probe from D answered to " +
                "all-nodes with S clear (flooded, as all-nodes traffic is). Forwarded: web's own DAD probe, a " +
                "solicitation with hop limit 254, and a target not in the table.")
            .Port("p1").Port("p2").Port("p3"))
            .Send(1, "p1", Solicitation(A.Mac, solicitedMac, ClientIp6, solicitedIp, WebIp6, A.Mac),
                ("p1", Advertisement(Web.Mac, A.Mac, WebIp6, ClientIp6, WebIp6, Web.Mac, solicited: true)))
            .Send(2, "p1", Solicitation(A.Mac, Web.Mac, ClientIp6, WebIp6, WebIp6, A.Mac),
                ("p1", Advertisement(Web.Mac, A.Mac, WebIp6, ClientIp6, WebIp6, Web.Mac, solicited: true)))
            .Send(3, "p3", Solicitation(D.Mac, solicitedMac, "::", solicitedIp, WebIp6, null),
                Advertisement(Web.Mac, allNodes, WebIp6, "ff02::1", WebIp6, Web.Mac, solicited: false), "p1", "p2", "p3")
            .Send(4, "p2", Solicitation(Web.Mac, solicitedMac, "::", solicitedIp, WebIp6, null), "p1", "p3")
            .Send(5, "p1", Solicitation(A.Mac, solicitedMac, ClientIp6, solicitedIp, WebIp6, A.Mac, hopLimit: 254), "p2", "p3")
            .Send(6, "p1", Solicitation(A.Mac, unknownMac, ClientIp6, unknownIp, "2001:db8::99", A.Mac), "p2", "p3")
            .Counter("peephole/nd/replied", 2)
            .Counter("peephole/nd/replied-dad", 1)
            .Counter("peephole/nd/forwarded-own-address", 1)
            .Counter("peephole/nd/malformed", 1)
            .Counter("peephole/nd/forwarded-not-in-table", 1);
    }
}
