using static VSwitch.Tests.Scenarios.TestDhcp;
using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Scenarios;

/// <summary>DHCP answered by the switch from the ethers table, and what it must forward.</summary>
public static class DhcpScenarios
{
    private const string Scope = "198.18.0.0/24,router=198.18.0.1,dns=198.18.0.53,domain=cluster.local,lease=600";
    private const string Server = "198.18.0.53", Lease = "198.18.0.101", Zero = "0.0.0.0", Everyone = "255.255.255.255";

    private const string Ethers = """
        # The client and the DHCP server identifier (the DNS address), so replies come from its MAC.
        02:00:00:00:01:01 198.18.0.101
        02:00:00:00:00:53 198.18.0.53

        """;

    private static readonly System.Net.NetworkInformation.PhysicalAddress Client = Mac("02:00:00:00:01:01");
    private static readonly System.Net.NetworkInformation.PhysicalAddress Stranger = Mac("02:00:00:00:09:09");
    private static readonly System.Net.NetworkInformation.PhysicalAddress ServerMac = PeepholeFrames.ServerMac;

    public static IEnumerable<Scenario> All()
    {
        yield return DhcpExchange();
        yield return DhcpConformance();
    }

    // What every OFFER and ACK carries after the message type and server identifier, for a
    // client asking for mask, router, DNS and domain in that order.
    private static byte[] LeaseOptions(byte type, bool lease = true) => Options(
        Type(type), Address(54, Server),
        lease ? Seconds(51, 600) : [], lease ? Seconds(58, 300) : [], lease ? Seconds(59, 525) : [],
        Address(1, "255.255.255.0"), Address(3, "198.18.0.1"), Address(6, Server), Text(15, "cluster.local"), End);

    private static readonly byte[] Asks = ParameterList(1, 3, 6, 15);

    private static byte[] Reply(byte type, uint xid, ushort flags, string ciaddr, string yiaddr, bool lease = true) =>
        Message(2, xid, flags, ciaddr, yiaddr, Zero, Client, type == Nak ? Options(Type(Nak), Address(54, Server), End) : LeaseOptions(type, lease), padTo: 300);

    public static Scenario DhcpExchange()
    {
        byte[] discover = Message(1, 0x1001, 0, Zero, Zero, Zero, Client, Options(Type(Discover), Asks, End));
        byte[] select = Message(1, 0x1002, 0, Zero, Zero, Zero, Client, Options(Type(Request), Address(50, Lease), Address(54, Server), Asks, End));
        byte[] renew = Message(1, 0x1003, 0, Lease, Zero, Zero, Client, Options(Type(Request), Asks, End));
        byte[] reboot = Message(1, 0x1004, 0, Zero, Zero, Zero, Client, Options(Type(Request), Address(50, "198.18.0.200"), Asks, End));
        byte[] inform = Message(1, 0x1005, 0, Lease, Zero, Zero, Client, Options(Type(Inform), Asks, End));
        byte[] broadcastDiscover = Message(1, 0x1006, 0x8000, Zero, Zero, Zero, Client, Options(Type(Discover), Asks, End));
        byte[] relayed = Message(1, 0x1007, 0, Zero, Zero, "198.18.0.1", Client, Options(Type(Discover), Asks, End));
        byte[] stranger = Message(1, 0x1008, 0, Zero, Zero, Zero, Stranger, Options(Type(Discover), Asks, End));
        byte[] overload = Message(1, 0x1009, 0, Zero, Zero, Zero, Client, Options(Type(Discover), [52, 1, 3], Asks, End));
        byte[] truncated = Message(1, 0x100a, 0, Zero, Zero, Zero, Client, Options(Type(Discover), [55, 40, 1, 3]));
        byte[] otherServer = Message(1, 0x100b, 0, Zero, Zero, Zero, Client, Options(Type(Request), Address(50, Lease), Address(54, "198.18.0.254"), End));
        byte[] release = Message(1, 0x100c, 0, Lease, Zero, Zero, Client, Options(Type(Release), Address(54, Server), End));
        byte[] decline = Message(1, 0x100d, 0, Zero, Zero, Zero, Client, Options(Type(Decline), Address(50, Lease), Address(54, Server), End));

        var flooded = new[] { "p2", "p3" };
        return new Scenario("peephole/dhcp",
                "A client whose MAC the ethers table maps to 198.18.0.101 gets, with no DHCP server anywhere: an OFFER for " +
                "its DISCOVER (unicast to yiaddr and chaddr, from the server identifier 198.18.0.53 and its table MAC), an " +
                "ACK when it selects that offer, an ACK to ciaddr when it renews, a broadcast NAK when it reboots asking for " +
                "another address, an options-only ACK for INFORM, and a broadcast OFFER when it sets the BROADCAST flag. " +
                "Forwarded unchanged and counted: a relayed DISCOVER, a MAC not in the table, option overload, truncated " +
                "options, a REQUEST selecting another server, RELEASE and DECLINE. Replies are padded to BOOTP's 300 bytes.")
            .WithTables("", Ethers, dhcp: [Scope])
            .Port("p1").Port("p2").Port("p3")
            .Send(1, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, discover),
                ("p1", ServerFrame(ServerMac, Client, Server, Lease, Reply(Offer, 0x1001, 0, Zero, Lease))))
            .Send(2, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, select),
                ("p1", ServerFrame(ServerMac, Client, Server, Lease, Reply(Ack, 0x1002, 0, Zero, Lease))))
            .Send(3, "p1", ClientFrame(Client, ServerMac, Lease, Server, renew),
                ("p1", ServerFrame(ServerMac, Client, Server, Lease, Reply(Ack, 0x1003, 0, Lease, Lease))))
            .Send(4, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, reboot),
                ServerFrame(ServerMac, Broadcast, Server, Everyone, Reply(Nak, 0x1004, 0, Zero, Zero)), "p1", "p2", "p3")
            .Send(5, "p1", ClientFrame(Client, ServerMac, Lease, Server, inform),
                ("p1", ServerFrame(ServerMac, Client, Server, Lease, Reply(Ack, 0x1005, 0, Lease, Zero, lease: false))))
            .Send(6, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, broadcastDiscover),
                ServerFrame(ServerMac, Broadcast, Server, Everyone, Reply(Offer, 0x1006, 0x8000, Zero, Lease)), "p1", "p2", "p3")
            .Send(7, "p1", ClientFrame(Client, ServerMac, "198.18.0.1", Server, relayed), flooded)
            .Send(8, "p3", ClientFrame(Stranger, Broadcast, Zero, Everyone, stranger), "p1", "p2")
            .Send(9, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, overload), flooded)
            .Send(10, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, truncated), flooded)
            .Send(11, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, otherServer), flooded)
            .Send(12, "p1", ClientFrame(Client, ServerMac, Lease, Server, release), flooded)
            .Send(13, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, decline), flooded)
            .Counter("peephole/dhcp/offered", 2)
            .Counter("peephole/dhcp/acked", 2)
            .Counter("peephole/dhcp/naked", 1)
            .Counter("peephole/dhcp/informed", 1)
            .Counter("peephole/dhcp/forwarded-not-for-us", 2)
            .Counter("peephole/dhcp/forwarded-not-in-table", 1)
            .Counter("peephole/dhcp/forwarded-unsupported", 1)
            .Counter("peephole/dhcp/malformed", 1)
            .Counter("peephole/dhcp/released", 1)
            .Counter("peephole/dhcp/declined", 1);
    }

    private const string OverlayScope = "198.18.10.0/24,router=198.18.10.1,lease=infinite,vlan=10,mtu=1450";

    private const string ConformanceEthers = """
        02:00:00:00:01:01 198.18.0.101
        02:00:00:00:00:53 198.18.0.53
        # A client of the overlay scope (VLAN 10), whose server identifier 198.18.10.1 is not in the table.
        02:00:00:00:10:01 198.18.10.101

        """;

    private static readonly System.Net.NetworkInformation.PhysicalAddress OverlayClient = Mac("02:00:00:00:10:01");

    public static Scenario DhcpConformance()
    {
        byte[] clientId = [61, 7, 1, .. Client.GetAddressBytes()];
        // A client identifier of 255 bytes (type 0, then 254 bytes), the largest an option holds.
        byte[] longId = [61, 255, 0, .. Enumerable.Range(0, 254).Select(i => (byte)i)];
        byte[] maxSize576 = [57, 2, 0x02, 0x40];

        byte[] discover = Message(1, 0x2001, 0, Zero, Zero, Zero, Client, Options(Type(Discover), ParameterList(3, 1, 6, 15), clientId, End));
        byte[] reboot = Message(1, 0x2002, 0, Zero, Zero, Zero, Client, Options(Type(Request), Address(50, "198.18.0.200"), clientId, End));
        byte[] renewElsewhere = Message(1, 0x2003, 0, Lease, Zero, Zero, Client, Options(Type(Request), End));
        byte[] bounded = Message(1, 0x2004, 0, Zero, Zero, Zero, Client, Options(Type(Discover), maxSize576, longId, ParameterList(1, 3, 6, 15, 28), End));
        byte[] decline = Message(1, 0x2005, 0, Zero, Zero, Zero, Client, Options(Type(Decline), Address(50, Lease), Address(54, Server), End));
        byte[] heldBack = Message(1, 0x2006, 0, Zero, Zero, Zero, Client, Options(Type(Discover), ParameterList(1, 3), End));
        byte[] afterBackOff = Message(1, 0x2007, 0, Zero, Zero, Zero, Client, Options(Type(Discover), ParameterList(1, 3), End));
        byte[] overlay = Message(1, 0x2008, 0, Zero, Zero, Zero, OverlayClient, Options(Type(Discover), ParameterList(1, 3, 26), End));
        byte[] overlayNoList = Message(1, 0x2009, 0, Zero, Zero, Zero, OverlayClient, Options(Type(Discover), End));

        byte[] OfferWith(uint xid, params byte[][] options) =>
            Message(2, xid, 0, Zero, Lease, Zero, Client, Options([Type(Offer), Address(54, Server), Seconds(51, 600), Seconds(58, 300), Seconds(59, 525), .. options, End]), padTo: 300);
        byte[] mask = Address(1, "255.255.255.0"), router = Address(3, "198.18.0.1"), dns = Address(6, Server), domain = Text(15, "cluster.local");
        const string OverlayServer = "198.18.10.1", OverlayLease = "198.18.10.101";
        byte[] OverlayOffer(uint xid) => Message(2, xid, 0, Zero, OverlayLease, Zero, OverlayClient,
            Options(Type(Offer), Address(54, OverlayServer), Seconds(51, uint.MaxValue), Address(1, "255.255.255.0"), Address(3, OverlayServer), [26, 2, 0x05, 0xAA], End), padTo: 300);
        var defaultServerMac = Mac("02:56:53:00:00:01");
        var elsewhere = Mac("02:00:00:00:02:54");

        return new Scenario("peephole/dhcp-conformance",
                "DHCP details real clients rely on. The OFFER carries the subnet mask before the router though the client asked " +
                "for 3 before 1 (RFC 2132 3.3), and echoes the client identifier, as does the NAK (RFC 6842). A renewal " +
                "unicast to another server (198.18.0.254) is left to it. With option 57 at 576 and a 255-byte client " +
                "identifier, the domain and broadcast options are left out so the whole IP datagram stays within 576 bytes. " +
                "After a DECLINE the client's next DISCOVER is forwarded (held back for 10 minutes), and the one 601 s " +
                "later gets its OFFER. On VLAN 10 the overlay scope (lease=infinite, mtu=1450) offers an infinite lease " +
                "with no T1/T2 and option 26 = 1450, asked for or by default, from the server identifier 198.18.10.1 " +
                "and the default server MAC.")
            .WithTables("", ConformanceEthers, dhcp: [Scope, OverlayScope], vlans: [1, 10])
            .Port("p1").Port("p2").Port("p3", "access:10")
            .Send(1, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, discover),
                ("p1", ServerFrame(ServerMac, Client, Server, Lease, OfferWith(0x2001, clientId, mask, router, dns, domain))))
            .Send(2, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, reboot),
                ServerFrame(ServerMac, Broadcast, Server, Everyone,
                    Message(2, 0x2002, 0, Zero, Zero, Zero, Client, Options(Type(Nak), Address(54, Server), clientId, End), padTo: 300)), "p1", "p2")
            .Send(3, "p1", ClientFrame(Client, elsewhere, Lease, "198.18.0.254", renewElsewhere), "p2")
            .Send(4, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, bounded),
                ("p1", ServerFrame(ServerMac, Client, Server, Lease, OfferWith(0x2004, longId, mask, router, dns))))
            .Send(5, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, decline), "p2")
            .Send(6, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, heldBack), "p2")
            .Send(606, "p1", ClientFrame(Client, Broadcast, Zero, Everyone, afterBackOff),
                ("p1", ServerFrame(ServerMac, Client, Server, Lease, OfferWith(0x2007, mask, router))))
            .Send(607, "p3", ClientFrame(OverlayClient, Broadcast, Zero, Everyone, overlay),
                ("p3", ServerFrame(defaultServerMac, OverlayClient, OverlayServer, OverlayLease, OverlayOffer(0x2008))))
            .Send(608, "p3", ClientFrame(OverlayClient, Broadcast, Zero, Everyone, overlayNoList),
                ("p3", ServerFrame(defaultServerMac, OverlayClient, OverlayServer, OverlayLease, OverlayOffer(0x2009))))
            .Counter("peephole/dhcp/offered", 5)
            .Counter("peephole/dhcp/naked", 1)
            .Counter("peephole/dhcp/forwarded-not-for-us", 1)
            .Counter("peephole/dhcp/declined", 1)
            .Counter("peephole/dhcp/forwarded-declined-back-off", 1);
    }
}
