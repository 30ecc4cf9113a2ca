using System.Net;
using Makaretu.Dns;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;
using VSwitch.Tests.CrossCheck;
using VSwitch.Tests.Scenarios;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Tests.Peephole;

/// <summary>The datapath's side of the DNS address's slow path: what it punts, and the message-level answers the service gives.</summary>
public class DnsServiceTests
{
    private const string DnsAddress = "198.18.0.250";

    private static PeepholeTables Tables()
    {
        var hosts = new List<HostsEntry> { new(IPAddress.Parse("198.18.0.20"), "web.cluster.local", [], 1) };
        for (int i = 1; i <= 40; i++) hosts.Add(new HostsEntry(IPAddress.Parse($"198.18.1.{i}"), "many.cluster.local", [], i + 1));
        return PeepholeTables.Build(hosts, [], new DnsSettings { Zones = ["cluster.local"], Addresses = [IPAddress.Parse(DnsAddress)] }, "ethers", out _);
    }

    [Fact]
    public void Process_QueryToDnsAddressTablesDoNotAnswer_PuntedToTheServicePort_OtherAddressesNot()
    {
        using var pool = new FramePool(64, 4096);
        var loop = new ForwardingLoop(pool, new ManualClock());
        var client = new MemoryPort("client", pool);
        var server = new MemoryPort("server", pool);
        var service = new MemoryPort("service", pool);
        loop.AddPort(client);
        loop.AddPort(server);
        ushort serviceId = loop.AddPort(service).Id;
        loop.Peephole.Binding = TableBinding.For(Tables(), [1]);
        loop.Peephole.Binding.Tenants[0].DnsPort = serviceId;
        var responder = TestFrames.Mac("02:56:53:00:00:01");

        byte[] miss = PeepholeFrames.Udp4(TestFrames.A.Mac, responder, TestFrames.A.Ip, DnsAddress, 40000, 53, TestDns.Query(1, "www.example.org", TestDns.TypeA));
        byte[] elsewhere = PeepholeFrames.Udp4(TestFrames.A.Mac, responder, TestFrames.A.Ip, "198.18.0.53", 40000, 53, TestDns.Query(2, "www.example.org", TestDns.TypeA));
        byte[] hit = PeepholeFrames.Udp4(TestFrames.A.Mac, responder, TestFrames.A.Ip, DnsAddress, 40000, 53, TestDns.Query(3, "web.cluster.local", TestDns.TypeA));
        foreach (byte[] frame in new[] { miss, elsewhere, hit })
        {
            client.Enqueue(frame);
            loop.RunOnce();
        }

        // The miss went to the service alone; the query to another address was flooded (its MAC is
        // unknown) to the server and the service alike; the hit was answered to the client.
        Assert.Equal([miss, elsewhere], service.Sent);
        Assert.Equal([elsewhere], server.Sent);
        Assert.Single(client.Sent);
        Assert.Equal(ReplyOracle.Kind.Dns, ReplyOracle.AssertAnswers(hit, client.Sent[0], TableModelFor()));
    }

    [Theory]
    [InlineData(false, 65535, 40, false)]   // TCP: the whole answer
    [InlineData(true, 65535, 0, true)]      // UDP without EDNS: 676 bytes do not fit 512
    public void Answer_FortyRecords_WholeOverTcp_TruncatedOverUdp(bool udp, int limit, int answers, bool truncated)
    {
        byte[] query = TestDns.Query(7, "many.cluster.local", TestDns.TypeA);
        var reply = new byte[65535];
        DnsOutcome outcome = DnsMessageResponder.Answer(query, reply, Tables(), limit, udp, out int length);
        Message m = ReplyOracle.DecodeDns(reply[..length]);
        Assert.Equal((truncated ? DnsOutcome.Truncated : DnsOutcome.Replied, answers, truncated), (outcome, m.Answers.Count, m.TC));
        Assert.Equal(7, m.Id);
    }

    [Fact]
    public void Refuse_QueryOutsideTheTables_QuestionBackWithRefused()
    {
        byte[] query = TestDns.Query(9, "www.example.org", TestDns.TypeAaaa, ednsSize: 1232);
        var reply = new byte[512];
        Assert.Equal(DnsOutcome.NotInTable, DnsMessageResponder.Answer(query, reply, Tables(), 512, udp: true, out int length));
        Assert.Equal(0, length);
        length = DnsMessageResponder.Error(query, reply, DnsMessageResponder.Refused);
        Message m = ReplyOracle.DecodeDns(reply[..length]);
        Assert.Equal((9, true, MessageStatus.Refused, false), (m.Id, m.QR, m.Status, m.AA));
        Assert.Equal("www.example.org", Assert.Single(m.Questions).Name.ToString());
        Assert.True(m.RD);
        Assert.Empty(m.Answers);
        // A response sent as a query, or a runt, gets nothing back.
        Assert.Equal(0, DnsMessageResponder.Error(reply.AsSpan(0, length), new byte[512], DnsMessageResponder.Refused));
        Assert.Equal(0, DnsMessageResponder.Error(query.AsSpan(0, 11), new byte[512], DnsMessageResponder.Refused));
    }

    private static TableModel TableModelFor() => TableModel.Load(Path.Combine(ScenarioFiles.CapturesRoot, "peephole", "dns-answers"));
}
