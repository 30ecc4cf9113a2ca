using System.Buffers.Binary;
using Makaretu.Dns;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Tests.CrossCheck;
using VSwitch.Tests.Peephole;
using VSwitch.Tests.PropertyTests;
using VSwitch.Tests.Scenarios;

namespace VSwitch.Tests.Hardening;

/// <summary>
/// The responder is no amplifier: a DNS reply is never more than the query it answers plus the
/// records it adds, and never more than 512 bytes of DNS unless the query's EDNS0 asked for more.
/// </summary>
public class AmplificationTests(ITestOutputHelper output)
{
    private const int Seed = 6_0512;

    [Fact]
    public void Replies_GeneratedAndMutatedQueries_NeverMoreThanQueryPlusRecordsNorOverTheClientsLimit()
    {
        using var sw = new PeepholeTestSwitch();
        var generator = new PeepholeFrameGenerator(new Random(Seed), sw.Model);
        int replies = 0, plain = 0;
        double worstRatio = 0;
        int largest = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] query = generator.Next().Frame;
            foreach (var (port, frame) in sw.Send(query))
            {
                if (port != 0 || !Wire.TryFindUdp(ReplyOracle.Untag(frame).Frame, out _, out int udp, out int udpLength)) continue;
                byte[] reply = ReplyOracle.Untag(frame).Frame;
                if (BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(udp)) != DnsResponder.Port) continue;
                byte[] replyDns = reply.AsSpan(udp + 8, udpLength - 8).ToArray();
                Assert.True(Wire.TryFindUdp(ReplyOracle.Untag(query).Frame, out _, out int qUdp, out int qLength), Convert.ToHexString(query));
                byte[] queryDns = ReplyOracle.Untag(query).Frame.AsSpan(qUdp + 8, qLength - 8).ToArray();
                string what = $"query {i} (seed {Seed}): {Convert.ToHexString(query)}\nreply: {Convert.ToHexString(frame)}";

                int records = RecordBytes(replyDns);
                Assert.True(replyDns.Length - records <= queryDns.Length,
                    $"{what}\nreply of {replyDns.Length} bytes with {records} bytes of records, for a query of {queryDns.Length}");
                int? ednsSize = OptPayloadSize(queryDns);
                int limit = ednsSize is int size ? Math.Max(512, size) : 512;
                Assert.True(replyDns.Length <= limit, $"{what}\nreply of {replyDns.Length} bytes; the client's limit is {limit}");
                replies++;
                if (ednsSize is null) plain++;
                largest = Math.Max(largest, replyDns.Length);
                worstRatio = Math.Max(worstRatio, (double)frame.Length / query.Length);
            }
        }
        output.WriteLine($"{replies} DNS replies checked ({plain} to queries without EDNS0); largest {largest} bytes of DNS; " +
            $"largest reply/query frame ratio {worstRatio:F2}");
        Assert.True(replies > 1_000 && plain > 100, $"only {replies} replies ({plain} without EDNS0): the run did not exercise the responder");
    }

    [Theory]
    [InlineData(null, false)]     // 40 A records make 676 bytes: over 512 without EDNS0
    [InlineData((ushort)512, false)]
    [InlineData((ushort)700, true)]
    [InlineData((ushort)1232, true)]
    public void Reply_FortyAnswers_WholeWhenTheClientsLimitAllows_ElseTruncatedQuestionOnly(ushort? ednsSize, bool whole)
    {
        using var sw = new PeepholeTestSwitch();
        byte[] query = TestDns.Query(7, "many.cluster.local", TestDns.TypeA, ednsSize: ednsSize);
        var sent = sw.Send(PeepholeFrames.Query(TestFrames.A, query));
        byte[] reply = Assert.Single(sent, s => s.Port == 0).Frame;
        byte[] dns = ReplyOracle.DecodeUdp53(reply, out _, out _, out _);
        Message m = ReplyOracle.DecodeDns(dns);
        Assert.Equal(!whole, m.TC);
        Assert.Equal(whole ? 40 : 0, m.Answers.Count);
        Assert.Equal(ednsSize is null ? 0 : 1, m.AdditionalRecords.Count);
        // Truncated: the question and the OPT alone, never more than the query itself.
        if (!whole) Assert.Equal(query.Length, dns.Length);
        Assert.Equal(whole ? 0 : 1, sw.Counter("port/p1/peephole/dns/truncated"));
        Assert.Equal(0, sw.Counter("port/p1/peephole/dns/forwarded-too-big"));
    }

    // Bytes of the answer and authority records of a reply (everything after the question but the OPT).
    private static int RecordBytes(byte[] dns)
    {
        int count = BinaryPrimitives.ReadUInt16BigEndian(dns.AsSpan(6)) + BinaryPrimitives.ReadUInt16BigEndian(dns.AsSpan(8));
        int at = SkipName(dns, 12) + 4, start = at;
        for (int r = 0; r < count; r++)
        {
            at = SkipName(dns, at);
            at += 10 + BinaryPrimitives.ReadUInt16BigEndian(dns.AsSpan(at + 8));
        }
        return at - start;
    }

    // The requestor's payload size when a well-formed query carries an OPT (its only additional record).
    private static int? OptPayloadSize(byte[] dns)
    {
        if (dns.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(dns.AsSpan(10)) != 1) return null;
        int opt = SkipName(dns, 12) + 4;
        return BinaryPrimitives.ReadUInt16BigEndian(dns.AsSpan(opt + 3));
    }

    private static int SkipName(byte[] dns, int at)
    {
        while (dns[at] != 0)
        {
            if ((dns[at] & 0xC0) == 0xC0) return at + 2;
            at += 1 + dns[at];
        }
        return at + 1;
    }
}
