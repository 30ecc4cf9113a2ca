using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Scenarios;

/// <summary>Learning-switch scenarios on one VLAN: flooding, learning, moves, aging, the table bound.</summary>
public static class L2Scenarios
{
    public static IEnumerable<Scenario> All()
    {
        yield return FloodThenLearn();
        yield return Broadcast();
        yield return UnknownUnicast();
        yield return MacMove();
        yield return Aging();
        yield return TableFull();
    }

    private static Scenario ThreePorts(string path, string description) =>
        new Scenario(path, description).Port("p1").Port("p2").Port("p3");

    public static Scenario FloodThenLearn() =>
        ThreePorts("l2/flood-then-learn",
            "A (p1) sends to B before anyone is known: flooded to p2 and p3. B answers: A was learned " +
            "on p1, so the answer goes to p1 only. A sends again: B was learned on p2, so p2 only.")
            .Send(1, "p1", Udp(A, B, "1 A>B unknown"), "p2", "p3")
            .Send(2, "p2", Udp(B, A, "2 B>A learned"), "p1")
            .Send(3, "p1", Udp(A, B, "3 A>B learned"), "p2")
            .Counter("fdb/learned", 2)
            .Counter("fdb/entries", 2);

    public static Scenario Broadcast() =>
        ThreePorts("l2/broadcast",
            "Broadcast (an ARP request), IPv4 multicast (mDNS) and IPv6 multicast (all-nodes) reach every " +
            "port but the one they came in by, even once their senders are learned; the unicast ARP reply goes only to the asker.")
            .Send(1, "p1", ArpRequest(A, B), "p2", "p3")
            .Send(2, "p2", ArpReply(B, A), "p1")
            .Send(3, "p1", UdpTo(A, Mac("01:00:5e:00:00:fb"), "224.0.0.251", "3 mdns"), "p2", "p3")
            .Send(4, "p3", Ipv6AllNodes(C), "p1", "p2")
            .Send(5, "p2", ArpRequest(B, C), "p1", "p3")
            .Counter("fdb/learned", 3);

    public static Scenario UnknownUnicast() =>
        ThreePorts("l2/unknown-unicast",
            "A sends twice to D, whom the switch has never seen: both are flooded. Once D has sent a frame " +
            "(from p3), frames to D go to p3 only.")
            .Send(1, "p1", Udp(A, D, "1 A>D unknown"), "p2", "p3")
            .Send(2, "p1", Udp(A, D, "2 A>D still unknown"), "p2", "p3")
            .Send(3, "p3", Udp(D, A, "3 D>A"), "p1")
            .Send(4, "p1", Udp(A, D, "4 A>D learned"), "p3")
            .Counter("fdb/learned", 2);

    public static Scenario MacMove() =>
        ThreePorts("l2/mac-move",
            "A is learned on p1, then appears on p3 (a container moved): the entry moves, counted once, and " +
            "frames to A now leave by p3 only.")
            .Send(1, "p1", Udp(A, B, "1 A>B from p1"), "p2", "p3")
            .Send(2, "p2", Udp(B, A, "2 B>A to p1"), "p1")
            .Send(3, "p3", Udp(A, B, "3 A>B from p3"), "p2")
            .Send(4, "p2", Udp(B, A, "4 B>A to p3"), "p3")
            .Counter("fdb/moved", 1)
            .Counter("fdb/learned", 2)
            .Counter("fdb/entries", 2);

    public static Scenario Aging() =>
        ThreePorts("l2/aging",
            "Aging time 10 s. B is learned at t=5 and A refreshed at t=8, so at t=8 A>B is unicast. At t=30 " +
            "A was last seen 22 s ago: B>A is flooded, A's entry and B's stale one are counted as aged, and B is learned afresh.")
            .WithMacTable(agingSeconds: 10)
            .Send(0, "p1", Udp(A, B, "0 A>B unknown"), "p2", "p3")
            .Send(5, "p2", Udp(B, A, "5 B>A learned"), "p1")
            .Send(8, "p1", Udp(A, B, "8 A>B learned"), "p2")
            .Send(30, "p2", Udp(B, A, "30 B>A aged out"), "p1", "p3")
            .Counter("fdb/aged", 2)
            .Counter("fdb/learned", 3)
            .Counter("fdb/entries", 1);

    public static Scenario TableFull() =>
        ThreePorts("l2/table-full",
            "Table bound 2, aging 10 s. A and B fill the table; C is not learned (table-full), so frames to C " +
            "are flooded while A and B still get unicast. At t=30, with A and B stale, C is still refused on its " +
            "first frame; that round's lookup and sweep age A and B out, and from then on C is learned and reached by unicast.")
            .WithMacTable(size: 2, agingSeconds: 10)
            .Send(1, "p1", Udp(A, B, "1 A>B"), "p2", "p3")
            .Send(2, "p2", Udp(B, A, "2 B>A"), "p1")
            .Send(3, "p3", Udp(C, A, "3 C>A not learned"), "p1")
            .Send(4, "p1", Udp(A, C, "4 A>C unknown"), "p2", "p3")
            .Send(5, "p2", Udp(B, A, "5 B>A known"), "p1")
            .Send(30, "p3", Udp(C, B, "30 C>B table still full"), "p1", "p2")
            .Send(31, "p3", Udp(C, A, "31 C>A A aged"), "p1", "p2")
            .Send(32, "p1", Udp(A, C, "32 A>C learned"), "p3")
            .Counter("fdb/table-full", 2)
            .Counter("fdb/aged", 2)
            .Counter("fdb/learned", 4)
            .Counter("fdb/entries", 2);
}
