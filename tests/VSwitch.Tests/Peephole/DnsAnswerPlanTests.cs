using System.Net;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Tables;
using VSwitch.Tests.Scenarios;
using VSwitch.Datapath.Counters;

namespace VSwitch.Tests.Peephole;

public class DnsAnswerPlanTests
{
    private static PeepholeTables Tables(params string[] zones) => PeepholeTables.Build(
        [
            new HostsEntry(IPAddress.Parse("198.18.0.20"), "web.cluster.local", [], 1),
            new HostsEntry(IPAddress.Parse("198.18.0.30"), "api.svc.cluster.local", [], 2),
            new HostsEntry(IPAddress.Parse("2001:db8::20"), "web.cluster.local", [], 3),
        ],
        [], new DnsSettings { Zones = zones }, "ethers", out _);

    private static (DnsOutcome Outcome, int Rcode, ushort AnswerType, int Answers, int ApexOffset, bool Soa) Decide(
        PeepholeTables tables, string name, ushort type)
    {
        byte[] message = TestDns.Query(1, name, type);
        Assert.Null(DnsQuery.TryRead(message, out DnsQuery query));
        DnsAnswerPlan plan = DnsAnswerPlan.Decide(query, tables);
        return (plan.Outcome, plan.Rcode, plan.AnswerType, plan.AnswerCount, plan.ApexOffset, plan.AuthoritySoa);
    }

    [Theory]
    [InlineData("web.cluster.local", TestDns.TypeA, DnsOutcome.Replied, 0, 1, 4, false)]
    [InlineData("WEB.cluster.LOCAL", TestDns.TypeAaaa, DnsOutcome.Replied, 0, 1, 4, false)]
    [InlineData("web.cluster.local", TestDns.TypeMx, DnsOutcome.NoData, 0, 0, 4, true)]
    [InlineData("svc.cluster.local", TestDns.TypeA, DnsOutcome.NoData, 0, 0, 4, true)]
    [InlineData("cluster.local", TestDns.TypeA, DnsOutcome.NoData, 0, 0, 0, true)]
    [InlineData("cluster.local", TestDns.TypeSoa, DnsOutcome.Replied, 0, 1, 0, false)]
    [InlineData("nope.cluster.local", TestDns.TypeA, DnsOutcome.NxDomain, 3, 0, 5, true)]
    [InlineData("x.nope.cluster.local", TestDns.TypeSoa, DnsOutcome.NxDomain, 3, 0, 7, true)]
    [InlineData("example.org", TestDns.TypeA, DnsOutcome.NotInTable, 0, 0, -1, false)]
    [InlineData("web.cluster.local", TestDns.TypeAny, DnsOutcome.Replied, 0, 2, 4, false)]
    [InlineData("svc.cluster.local", TestDns.TypeAny, DnsOutcome.NoData, 0, 0, 4, true)]
    [InlineData("cluster.local", TestDns.TypeAny, DnsOutcome.Replied, 0, 1, 0, false)]
    [InlineData("cluster.local", TestDns.TypeNs, DnsOutcome.NoData, 0, 0, 0, true)]
    [InlineData("web.cluster.local", 252, DnsOutcome.UnsupportedType, 0, 0, -1, false)]
    [InlineData("nope.cluster.local", TestDns.TypeAny, DnsOutcome.NxDomain, 3, 0, 5, true)]
    [InlineData("20.0.18.198.in-addr.arpa", TestDns.TypePtr, DnsOutcome.Replied, 0, 1, -1, false)]
    [InlineData("99.0.18.198.in-addr.arpa", TestDns.TypePtr, DnsOutcome.NotInTable, 0, 0, -1, false)]
    public void Decide_OneZone_AnswersPerRfc(string name, ushort type, DnsOutcome outcome, int rcode, int answers, int apex, bool soa)
    {
        Assert.Equal((outcome, rcode, answers, apex, soa), Without3rd(Decide(Tables("cluster.local"), name, type)));
    }

    /// <summary>
    /// Names in the hosts table outside every local zone: the tables know their addresses only, so
    /// any other type is forwarded (a real server may hold an MX or TXT for a public name the hosts
    /// file overrides), while A, AAAA and ANY are answered (NODATA for the family it lacks).
    /// </summary>
    [Theory]
    [InlineData(TestDns.TypeA, DnsOutcome.Replied, 1)]
    [InlineData(TestDns.TypeAaaa, DnsOutcome.Replied, 1)]
    [InlineData(TestDns.TypeAny, DnsOutcome.Replied, 2)]
    [InlineData(TestDns.TypeMx, DnsOutcome.UnsupportedType, 0)]
    [InlineData(TestDns.TypeTxt, DnsOutcome.UnsupportedType, 0)]
    [InlineData(TestDns.TypeNs, DnsOutcome.UnsupportedType, 0)]
    [InlineData(TestDns.TypeSoa, DnsOutcome.UnsupportedType, 0)]
    [InlineData(33, DnsOutcome.UnsupportedType, 0)]    // SRV
    [InlineData(257, DnsOutcome.UnsupportedType, 0)]   // CAA
    public void Decide_NameOutsideEveryZone_OnlyAddressTypesAnswered(ushort type, DnsOutcome outcome, int answers)
    {
        var (o, _, _, a, _, soa) = Decide(Tables(), "web.cluster.local", type);
        Assert.Equal((outcome, answers, false), (o, a, soa));
    }

    [Fact]
    public void Decide_NsAtApexWithServerName_AnswersNsWithGlue()
    {
        PeepholeTables tables = PeepholeTables.Build(
            [new HostsEntry(IPAddress.Parse("198.18.0.53"), "ns.cluster.local", [], 1), new HostsEntry(IPAddress.Parse("2001:db8::53"), "ns.cluster.local", [], 2)],
            [], new DnsSettings { Zones = ["cluster.local"], NsName = "ns.cluster.local" }, "ethers", out _);
        byte[] message = TestDns.Query(1, "Cluster.Local", TestDns.TypeNs);
        Assert.Null(DnsQuery.TryRead(message, out DnsQuery query));
        DnsAnswerPlan plan = DnsAnswerPlan.Decide(query, tables);
        Assert.Equal((DnsOutcome.Replied, TestDns.TypeNs, 1, 2), (plan.Outcome, plan.AnswerType, plan.AnswerCount, plan.GlueCount));
        Assert.Equal(TestDns.Name("ns.cluster.local"), plan.Target.ToArray());
        // NS record (12 + 18-byte name), then an A (16) and an AAAA (28) as glue.
        Assert.Equal(12 + 18 + 16 + 28, plan.RecordsLength);
    }

    private static (DnsOutcome, int, int, int, bool) Without3rd((DnsOutcome O, int R, ushort T, int A, int X, bool S) p) => (p.O, p.R, p.A, p.X, p.S);

    /// <summary>
    /// Bug: with nested local zones listed outer first, names in the inner zone were answered with
    /// the outer zone's SOA, and an SOA query at the inner apex got NODATA instead of its SOA.
    /// </summary>
    [Theory]
    [InlineData("svc.cluster.local", TestDns.TypeSoa, DnsOutcome.Replied, 0, 1, 0, false)]
    [InlineData("nope.svc.cluster.local", TestDns.TypeA, DnsOutcome.NxDomain, 3, 0, 5, true)]
    [InlineData("api.svc.cluster.local", TestDns.TypeAaaa, DnsOutcome.NoData, 0, 0, 4, true)]
    [InlineData("web.cluster.local", TestDns.TypeAaaa, DnsOutcome.Replied, 0, 1, 4, false)]
    public void Decide_NestedZones_InnermostZoneAnswers(string name, ushort type, DnsOutcome outcome, int rcode, int answers, int apex, bool soa)
    {
        foreach (string[] zones in new[] { new[] { "cluster.local", "svc.cluster.local" }, ["svc.cluster.local", "cluster.local"] })
            Assert.Equal((outcome, rcode, answers, apex, soa), Without3rd(Decide(Tables(zones), name, type)));
    }

    /// <summary>
    /// Bug: with a reverse zone served locally, a name that has a PTR record was answered NXDOMAIN
    /// for every other type, and so were the reverse names above it; a resolver caches that
    /// NXDOMAIN for the name (RFC 2308 5) and then denies the PTR too.
    /// </summary>
    [Theory]
    [InlineData("20.0.18.198.in-addr.arpa", TestDns.TypePtr, DnsOutcome.Replied, 0, 1, -1, false)]
    [InlineData("20.0.18.198.in-addr.arpa", TestDns.TypeA, DnsOutcome.NoData, 0, 0, 5, true)]
    [InlineData("0.18.198.in-addr.arpa", TestDns.TypePtr, DnsOutcome.NoData, 0, 0, 2, true)]
    [InlineData("18.198.in-addr.arpa", TestDns.TypeSoa, DnsOutcome.Replied, 0, 1, 0, false)]
    [InlineData("99.0.18.198.in-addr.arpa", TestDns.TypePtr, DnsOutcome.NxDomain, 3, 0, 5, true)]
    [InlineData("1.0.18.198.in-addr.arpa", TestDns.TypeA, DnsOutcome.NxDomain, 3, 0, 4, true)]
    public void Decide_LocalReverseZone_NamesWithPtrRecordsExist(string name, ushort type, DnsOutcome outcome, int rcode, int answers, int apex, bool soa)
    {
        Assert.Equal((outcome, rcode, answers, apex, soa), Without3rd(Decide(Tables("cluster.local", "18.198.in-addr.arpa"), name, type)));
    }
}
