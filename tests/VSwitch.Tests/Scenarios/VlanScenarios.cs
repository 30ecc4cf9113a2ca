using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Scenarios;

/// <summary>VLAN scenarios: isolation between access VLANs, tagging and untagging on trunks.</summary>
public static class VlanScenarios
{
    public static IEnumerable<Scenario> All()
    {
        yield return Isolation();
        yield return TrunkTagging();
    }

    public static Scenario Isolation() =>
        new Scenario("vlan/isolation",
            "p1 and p2 are in VLAN 10, p3 and p4 in VLAN 20. Broadcasts and unknown unicast stay in their VLAN. " +
            "The same MAC (A) sending in both VLANs is two entries, not a move, and each VLAN forwards to its own A.")
            .Port("p1", "access:10").Port("p2", "access:10").Port("p3", "access:20").Port("p4", "access:20")
            .Send(1, "p1", ArpRequest(A, B), "p2")
            .Send(2, "p3", ArpRequest(C, D), "p4")
            .Send(3, "p1", Udp(A, C, "3 A>C in vlan 10"), "p2")
            .Send(4, "p3", Udp(A, B, "4 A>B in vlan 20"), "p4")
            .Send(5, "p2", Udp(B, A, "5 B>A in vlan 10"), "p1")
            .Send(6, "p4", Udp(D, A, "6 D>A in vlan 20"), "p3")
            .Counter("fdb/moved", 0)
            .Counter("fdb/learned", 5);

    public static Scenario TrunkTagging()
    {
        byte[] aBroadcast = ArpRequest(A, C);
        byte[] cBroadcast = ArpRequest(C, D);
        byte[] cToA = Udp(C, A, "3 C>A tagged 10");
        byte[] vlan30 = Udp(C, A, "4 vlan 30 not carried");
        byte[] untagged = Udp(C, A, "5 untagged on trunk");
        byte[] taggedOnAccess = Udp(A, B, "6 tagged on access");
        byte[] priority = Udp(A, C, "7 priority tagged");
        return new Scenario("vlan/trunk-tagging",
            "p1 is access VLAN 10, p2 access VLAN 20, p3 a trunk of 10 and 20, p4 a trunk of 20 only. Frames leave " +
            "trunks tagged and access ports untagged; a trunk drops VLANs it does not carry and untagged frames; an " +
            "access port drops tagged frames but takes priority tags (VLAN 0), whose priority survives onto the trunk.")
            .Port("p1", "access:10").Port("p2", "access:20").Port("p3", "trunk:10,20").Port("p4", "trunk:20")
            .Send(1, "p1", aBroadcast, ("p3", Tagged(aBroadcast, 10)))
            .Send(2, "p3", Tagged(cBroadcast, 20), ("p2", cBroadcast), ("p4", Tagged(cBroadcast, 20)))
            .Send(3, "p3", Tagged(cToA, 10), ("p1", cToA))
            .Dropped(4, "p3", Tagged(vlan30, 30))
            .Dropped(5, "p3", untagged)
            .Dropped(6, "p1", Tagged(taggedOnAccess, 10))
            .Send(7, "p1", Tagged(priority, 0, pcp: 5), ("p3", Tagged(priority, 10, pcp: 5)))
            .Counter("port/p3/drop/vlan-not-allowed", 1)
            .Counter("port/p3/drop/untagged-on-trunk", 1)
            .Counter("port/p1/drop/tagged-on-access", 1);
    }
}
