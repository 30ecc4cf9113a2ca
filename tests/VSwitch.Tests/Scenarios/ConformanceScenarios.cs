using System.Text;
using static VSwitch.Tests.Scenarios.PeepholeFrames;
using static VSwitch.Tests.Scenarios.TestDns;
using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Scenarios;

/// <summary>
/// What real clients rely on beyond a plain answer: truncation measured in bytes, ANY, types the
/// tables cannot know, NS at an apex, martian sources, and routers that answer for themselves.
/// </summary>
public static class ConformanceScenarios
{
    private const uint Ttl = 60;
    private const string Zone = "cluster.local", Ns = "ns.cluster.local";

    public static IEnumerable<Scenario> All()
    {
        yield return DnsConformance();
        yield return NeighborRouter();
        yield return DnsAddress();
    }

    // fits.cluster.local: a 20-byte name, so the question ends at 36 and 17 AAAA (28 bytes each)
    // make exactly 512; over1.cluster.local is one byte longer, and the same answer is 513.
    private static string Hosts()
    {
        var b = new StringBuilder();
        b.Append("198.18.0.20   web.cluster.local\n2001:db8::20  web.cluster.local\n");
        b.Append("198.18.0.53   ns.cluster.local\n");
        b.Append("# A public name the hosts file overrides: its other types live at a real server.\n");
        b.Append("198.18.0.25   mail.example.org\n");
        for (int i = 1; i <= 17; i++) b.Append($"2001:db8:1::{i:x}  fits.cluster.local\n");
        for (int i = 1; i <= 17; i++) b.Append($"2001:db8:2::{i:x}  over1.cluster.local\n");
        for (int i = 1; i <= 40; i++) b.Append($"198.18.1.{i}  many.cluster.local\n");
        return b.ToString();
    }

    private static byte[] Soa(string questionName) => SoaRecord(OffsetOf(questionName, Zone), Ttl, 1, Ttl);

    private static Scenario Answered(this Scenario s, double t, byte[] query, int rcode, byte[][] answers, byte[][] authority,
        byte[]? opt = null, bool truncated = false, byte[][]? additional = null) =>
        s.Send(t, "p1", Query(A, query), ("p1", Reply(A, TestDns.Reply(query, rcode, false, answers, authority, opt, truncated, additional))));

    public static Scenario DnsConformance()
    {
        byte[] fits = Query(0x4001, "fits.cluster.local", TypeAaaa);
        byte[] over = Query(0x4002, "over1.cluster.local", TypeAaaa);
        byte[] overEdns = Query(0x4003, "over1.cluster.local", TypeAaaa, ednsSize: 1232);
        byte[] manyEdns600 = Query(0x4004, "many.cluster.local", TypeA, ednsSize: 600);
        byte[] manySmallMtu = Query(0x4005, "many.cluster.local", TypeA, ednsSize: 4096);
        byte[] anyWeb = Query(0x4006, "web.cluster.local", TypeAny);
        byte[] anyApex = Query(0x4007, "cluster.local", TypeAny);
        byte[] nsApex = Query(0x4008, "cluster.local", TypeNs, ednsSize: 1232);
        byte[] mailMx = Query(0x4009, "mail.example.org", TypeMx);
        byte[] mailTxt = Query(0x400a, "mail.example.org", TypeTxt);
        byte[] mailA = Query(0x400b, "mail.example.org", TypeA);
        byte[] mailAaaa = Query(0x400c, "mail.example.org", TypeAaaa);
        byte[] webMx = Query(0x400d, "web.cluster.local", TypeMx);
        byte[] martian = Query(0x400e, "web.cluster.local", TypeA);

        byte[][] fitsAnswers = Enumerable.Range(1, 17).Select(i => AaaaRecord(Ttl, $"2001:db8:1::{i:x}")).ToArray();
        byte[][] overAnswers = Enumerable.Range(1, 17).Select(i => AaaaRecord(Ttl, $"2001:db8:2::{i:x}")).ToArray();
        // The NS target starts after the 31-byte question and the NS record's 12 bytes of head.
        int nsTarget = 12 + Name(Zone).Length + 4 + 12;
        byte[] smallMtuReply = TestDns.Reply(manySmallMtu, 0, false, [], [], Opt(1232, 0, dnssecOk: false), truncated: true);

        Scenario s = new Scenario("peephole/dns-conformance",
                "Answers real resolvers rely on (zone cluster.local, dns-ns-name ns.cluster.local, TTL 60). Size in bytes: 17 " +
                "AAAA for fits.cluster.local make a 512-byte message and go whole; the same 17 for over1.cluster.local make " +
                "513 and come back as TC=1 with the question alone, and whole under EDNS 1232; 40 A records under EDNS 600, " +
                "and under EDNS 4096 to a client on p3 whose MTU is 600, come back truncated with the OPT. ANY gets the " +
                "address records (RFC 8482), at the apex the SOA. NS at the apex names ns.cluster.local with its address as " +
                "glue. mail.example.org, a hosts name outside every zone: MX and TXT are forwarded to S (a real server may " +
                "hold them), A is answered, AAAA is NODATA without an SOA; MX inside the zone is NODATA with the SOA. " +
                "Queries from 0.0.0.0, 127.0.0.1, 224.0.0.251, 255.255.255.255, ::, ::1 and ff02::fb are forwarded.")
            .WithTables(Hosts(), "", [Zone], (int)Ttl, nsName: Ns)
            .Port("p1").Port("p2").Port("p3", mtu: 600);
        s.Send(1, "p2", Arp(PacketDotNet.ArpOperation.Request, ServerMac, Broadcast, ServerMac, ServerIp, Mac("00:00:00:00:00:00"), ServerIp), "p1", "p3")
            .Answered(2, fits, 0, fitsAnswers, [])
            .Answered(3, over, 0, [], [], truncated: true)
            .Answered(4, overEdns, 0, overAnswers, [], Opt(1232, 0, dnssecOk: false))
            .Answered(5, manyEdns600, 0, [], [], Opt(1232, 0, dnssecOk: false), truncated: true)
            .Send(6, "p3", Query(C, manySmallMtu), ("p3", Reply(C, smallMtuReply)))
            .Answered(7, anyWeb, 0, [ARecord(Ttl, "198.18.0.20"), AaaaRecord(Ttl, "2001:db8::20")], [])
            .Answered(8, anyApex, 0, [Soa("cluster.local")], [])
            .Answered(9, nsApex, 0, [NsRecord(Ttl, Ns)], [], Opt(1232, 0, dnssecOk: false),
                additional: [AddressRecordAt(nsTarget, Ttl, "198.18.0.53")])
            .Send(10, "p1", Query(A, mailMx), "p2")
            .Send(11, "p1", Query(A, mailTxt), "p2")
            .Answered(12, mailA, 0, [ARecord(Ttl, "198.18.0.25")], [])
            .Answered(13, mailAaaa, 0, [], [])
            .Answered(14, webMx, 0, [], [Soa("web.cluster.local")]);
        double t = 15;
        foreach (string source in new[] { "0.0.0.0", "127.0.0.1", "224.0.0.251", "255.255.255.255" })
            s.Send(t++, "p1", Udp4(A.Mac, ServerMac, source, ServerIp, 40053, 53, martian), "p2");
        foreach (string source in new[] { "::", "::1", "ff02::fb" })
            s.Send(t++, "p1", Udp6(A.Mac, ServerMac, source, ServerIp6, 40053, 53, martian), "p2");
        return s
            .Counter("peephole/dns/replied", 6)
            .Counter("peephole/dns/truncated", 3)
            .Counter("peephole/dns/nodata", 2)
            .Counter("peephole/dns/forwarded-unsupported-type", 2)
            .Counter("peephole/dns/forwarded-martian-source", 7)
            .Counter("port/p3/peephole/dns/truncated", 1)
            .Counter("peephole/arp/forwarded-gratuitous", 1);
    }

    public static Scenario NeighborRouter()
    {
        const string Ethers = """
            # The gateway G (link-local and global), two hosts whose advertisements are not valid, and web.
            02:00:00:00:00:01 fe80::1
            02:00:00:00:00:01 2001:db8::1
            02:00:00:00:00:02 fe80::2
            02:00:00:00:00:03 fe80::3
            02:00:00:00:00:20 2001:db8::20

            """;
        var g = Mac("02:00:00:00:00:01");
        var h2 = Mac("02:00:00:00:00:02");
        var h3 = Mac("02:00:00:00:00:03");
        var web = Mac("02:00:00:00:00:20");
        const string Asker = "fe80::a";

        // A's solicitation for target (to its solicited-node group unless sent to a MAC), and the switch's answer (R=0).
        byte[] Ask(string target, string source = Asker, System.Net.NetworkInformation.PhysicalAddress? to = null)
        {
            var (group, groupMac) = SolicitedNode(target);
            return Solicitation(A.Mac, to ?? groupMac, source, to is null ? group : target, target, A.Mac);
        }
        byte[] Answer(System.Net.NetworkInformation.PhysicalAddress owner, string target) =>
            Advertisement(owner, A.Mac, target, Asker, target, owner, solicited: true);

        return new Scenario("peephole/nd-router",
                "Routers answer for themselves (RFC 4861 7.2.5: an NA with R=0 from the switch would make a host drop its " +
                "default router). A's solicitation for the gateway's fe80::1 is answered from the ethers table until G " +
                "(p2) sends a valid Router Advertisement (link-local source, hop limit 255, lifetime 1800 s); after it, " +
                "solicitations for fe80::1 (to the group and unicast to G) and for G's global 2001:db8::1 (same MAC) go to " +
                "G. Advertisements from a global source and with hop limit 64 teach nothing: fe80::2 and fe80::3 are still " +
                "answered. Solicitations from ff02::1 and ::1 are forwarded. 2000 s later, G silent for longer than its " +
                "lifetime, fe80::1 is answered again.")
            .WithTables("", Ethers)
            .Port("p1").Port("p2").Port("p3")
            .Send(1, "p1", Ask("fe80::1"), ("p1", Answer(g, "fe80::1")))
            .Send(2, "p2", RouterAdvertisement(g, "fe80::1", 1800), "p1", "p3")
            .Send(3, "p1", Ask("fe80::1"), "p2", "p3")
            .Send(4, "p1", Ask("fe80::1", to: g), "p2")
            .Send(5, "p1", Ask("2001:db8::1"), "p2", "p3")
            .Send(6, "p3", RouterAdvertisement(h2, "2001:db8::2", 1800), "p1", "p2")
            .Send(7, "p3", RouterAdvertisement(h3, "fe80::3", 1800, hopLimit: 64), "p1", "p2")
            .Send(8, "p1", Ask("fe80::2"), ("p1", Answer(h2, "fe80::2")))
            .Send(9, "p1", Ask("fe80::3"), ("p1", Answer(h3, "fe80::3")))
            .Send(10, "p1", Ask("2001:db8::20", source: "ff02::1"), "p2", "p3")
            .Send(11, "p1", Ask("2001:db8::20", source: "::1"), "p2", "p3")
            .Send(12, "p1", Ask("2001:db8::20"), ("p1", Answer(web, "2001:db8::20")))
            .Send(2002, "p1", Ask("fe80::1"), ("p1", Answer(g, "fe80::1")))
            .Counter("peephole/nd/replied", 5)
            .Counter("peephole/nd/forwarded-router", 3)
            .Counter("peephole/nd/ra-learned", 1)
            .Counter("peephole/nd/ra-ignored", 2)
            .Counter("peephole/nd/forwarded-martian-source", 2);
    }

    public static Scenario DnsAddress()
    {
        var responder = Mac("02:56:53:00:00:01");
        const string Dns4 = "198.18.0.250", Dns6 = "2001:db8::250", Asker6 = "2001:db8::a";
        var (group, groupMac) = SolicitedNode(Dns6);
        byte[] a = Query(0x5001, "web.cluster.local", TypeA);
        byte[] aaaa = Query(0x5002, "web.cluster.local", TypeAaaa);
        return new Scenario("peephole/dns-address",
                "The switch's own DNS address (dns-address 198.18.0.250,2001:db8::250): ARP and neighbour solicitations for " +
                "it are answered from the responder MAC 02:56:53:00:00:01, even though an ethers line gives 198.18.0.250 " +
                "to another MAC (the DNS address wins); queries sent to it, over IPv4 and IPv6, are answered from the tables " +
                "as queries to any address are, from that MAC and address.")
            .WithTables("198.18.0.20 web.cluster.local\n2001:db8::20 web.cluster.local\n", "02:00:00:00:00:99 198.18.0.250\n",
                [Zone], (int)Ttl, dnsAddresses: [Dns4, Dns6])
            .Port("p1").Port("p2").Port("p3")
            .Send(1, "p1", Arp(PacketDotNet.ArpOperation.Request, A.Mac, Broadcast, A.Mac, A.Ip, Mac("00:00:00:00:00:00"), Dns4),
                ("p1", Arp(PacketDotNet.ArpOperation.Response, responder, A.Mac, responder, Dns4, A.Mac, A.Ip)))
            .Send(2, "p1", Solicitation(A.Mac, groupMac, Asker6, group, Dns6, A.Mac),
                ("p1", Advertisement(responder, A.Mac, Dns6, Asker6, Dns6, responder, solicited: true)))
            .Send(3, "p1", Udp4(A.Mac, responder, A.Ip, Dns4, 40053, 53, a),
                ("p1", Udp4(responder, A.Mac, Dns4, A.Ip, 53, 40053, TestDns.Reply(a, 0, false, [ARecord(Ttl, "198.18.0.20")], [], null))))
            .Send(4, "p1", Udp6(A.Mac, responder, Asker6, Dns6, 40054, 53, aaaa),
                ("p1", Udp6(responder, A.Mac, Dns6, Asker6, 53, 40054, TestDns.Reply(aaaa, 0, false, [AaaaRecord(Ttl, "2001:db8::20")], [], null))))
            .Counter("peephole/arp/replied", 1)
            .Counter("peephole/nd/replied", 1)
            .Counter("peephole/dns/replied", 2);
    }
}
