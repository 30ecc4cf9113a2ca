using VSwitch.Tests.CrossCheck;
using static VSwitch.Tests.Frames.TestPackets;

namespace VSwitch.Tests.Peephole;

public class PeepholeStageTests
{
    /// <summary>
    /// Bug: a DNS query carried behind an IPv6 hop-by-hop options header went to the neighbour
    /// responder only, because the stage took next header 0 for ICMPv6; that responder declined
    /// it as no solicitation and the query was forwarded uncounted, though the DNS responder
    /// answers such queries. A: AAAA web.cluster.local? with a PadN-only hop-by-hop header.
    /// </summary>
    private const string DnsOverIpv6HopByHop =
        "02000000005302000000000a86dd" +
        "600000000033004020010db800000000000000000000000a20010db8000000000000000000000053" +
        "1100010400000000" +
        "9c750035002b1d48" +
        "4001010000010000000000000377656207636c7573746572056c6f63616c00001c0001";

    [Fact]
    public void Process_DnsQueryBehindHopByHopHeader_Answered()
    {
        using var sw = new PeepholeTestSwitch();
        byte[] query = Hex(DnsOverIpv6HopByHop);

        var (port, reply) = Assert.Single(sw.Send(query));

        Assert.Equal(0, port);
        Assert.Equal(ReplyOracle.Kind.Dns, ReplyOracle.AssertAnswers(query, reply, sw.Model));
        Assert.Equal(1, sw.Counter("port/p1/peephole/dns/replied"));
        Assert.Equal(sw.Pool.SlotCount, sw.Pool.Available);
    }

    [Fact]
    public void Process_EchoRequestOverIpv6_ForwardedUncounted()
    {
        using var sw = new PeepholeTestSwitch();
        byte[] echo = Scenarios.TestFrames.Ipv6AllNodes(Scenarios.TestFrames.A);

        var sent = sw.Send(echo);

        Assert.Equal(2, sent.Count);
        Assert.All(sent, s => Assert.Equal(echo, s.Frame));
        Assert.All(sw.Loop.CounterSnapshot().Where(kv => kv.Key.StartsWith("peephole/", StringComparison.Ordinal)), kv => Assert.Equal(0, kv.Value));
    }
}
