using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Scenarios;

/// <summary>Frames the switch must drop and count, next to frames it must still forward.</summary>
public static class MalformedScenarios
{
    public static IEnumerable<Scenario> All()
    {
        yield return RuntAndMalformed();
    }

    public static Scenario RuntAndMalformed()
    {
        byte[] valid = Udp(A, B, "7 valid after the bad ones");
        byte[] big = Udp(A, B, "9 1200-byte payload", padTo: 1200 - 28);
        byte[] badIp = Raw("02000000000b 02000000000a 0800 4f00ffff 0000");
        return new Scenario("malformed/runt-and-malformed",
            "Dropped and counted on p1: runts of 10 and 13 bytes, a group source MAC, a VLAN tag cut short, an " +
            "802.3 length larger than the frame, and a payload over p1's MTU. Forwarded: a valid frame after them, " +
            "and an IPv4 frame whose IP header is garbage (an L2 switch does not judge L3). A 1200-byte payload is " +
            "flooded to p2 but dropped at p3, whose MTU is 1000.")
            .Port("p1").Port("p2").Port("p3", mtu: 1000)
            .Dropped(1, "p1", Raw("02000000000b02000000"))
            .Dropped(2, "p1", Raw("02000000000b02000000000a08"))
            .Dropped(3, "p1", Raw("02000000000b 030000000001 0800 45000014000000004011000000000000"))
            .Dropped(4, "p1", Raw("02000000000b 02000000000a 8100"))
            .Dropped(5, "p1", Raw("02000000000b 02000000000a 03e8 aaaa0300000000"))
            .Dropped(6, "p1", Udp(A, B, "6 over the MTU", padTo: 1501 - 28))
            .Send(7, "p1", valid, "p2", "p3")
            .Send(8, "p1", badIp, "p2", "p3")
            .Send(9, "p1", big, "p2")
            .Counter("port/p1/drop/runt", 2)
            .Counter("port/p1/drop/multicast-source", 1)
            .Counter("port/p1/drop/malformed", 2)
            .Counter("port/p1/drop/over-mtu", 1)
            .Counter("port/p3/drop/over-mtu", 1);
    }
}
