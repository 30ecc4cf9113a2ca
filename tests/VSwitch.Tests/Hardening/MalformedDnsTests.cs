using System.Buffers.Binary;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Tests.Peephole;
using VSwitch.Tests.Scenarios;
using VSwitch.Datapath.Counters;

namespace VSwitch.Tests.Hardening;

/// <summary>
/// DNS messages that lie, through the real forwarding loop with the dns-answers tables (zone
/// cluster.local): each is never answered, never throws, leaves the switch unchanged on the
/// other ports, and moves exactly one peephole counter, the one its shape calls for.
/// </summary>
/// <remarks>
/// <para>Every case is a query for a name the tables answer (web.cluster.local) or would answer
/// NXDOMAIN for, so that a reader that skipped a check would answer it, and the test would see
/// the reply. Each goes over IPv4 and over IPv6 with correct IP and UDP checksums, so the damage
/// reaches the DNS reader rather than stopping at a checksum.</para>
/// <para>Controls sit beside the traps (a 63-byte label, a 255-byte name, a well-formed query with
/// OPT): they prove that the checks are where the limits are, not short of them.</para>
/// </remarks>
public class MalformedDnsTests(ITestOutputHelper output)
{
    private const ushort Id = 0x6a6a;
    private static readonly string Malformed = DnsOutcomes.Name(DnsOutcome.Malformed);

    /// <summary>A well-formed query for web.cluster.local A with an EDNS0 OPT: what the damaged cases start from.</summary>
    private static byte[] Good => TestDns.Query(Id, "web.cluster.local", TestDns.TypeA, ednsSize: 1232);

    // Header (12 bytes) with the given flags and counts, then the body as given.
    private static byte[] Message(ushort flags, ushort qd, ushort an, ushort ns, ushort ar, params byte[][] body)
    {
        var b = new List<byte>();
        foreach (ushort v in new[] { Id, flags, qd, an, ns, ar }) b.AddRange([(byte)(v >> 8), (byte)v]);
        foreach (byte[] part in body) b.AddRange(part);
        return [.. b];
    }

    private static readonly byte[] AIn = [0, 1, 0, 1];
    private static byte[] Opt(ushort size = 1232, ushort rdLength = 0, byte[]? rdata = null, byte owner = 0) =>
        [owner, 0, 41, (byte)(size >> 8), (byte)size, 0, 0, 0, 0, (byte)(rdLength >> 8), (byte)rdLength, .. rdata ?? []];
    private static byte[] Name(string name) => TestDns.Name(name);
    private static byte[] Label(int length) => [(byte)length, .. Enumerable.Repeat((byte)'a', length)];
    private static byte[] LongName(int labels, int labelLength) => [.. Enumerable.Range(0, labels).SelectMany(_ => Label(labelLength)), 0];

    /// <summary>Each case: a name, the DNS message, and the counter it must move (under peephole/dns/).</summary>
    public static TheoryData<string> Cases => new(CaseTable.Keys);

    private static readonly Dictionary<string, (byte[] Dns, string Counter)> CaseTable = new()
    {
        // Compression pointers have no place in a question we answer; followed naively, they loop.
        ["pointer-loop-to-itself"] = (Message(0x0100, 1, 0, 0, 0, [0xC0, 0x0C], AIn), Malformed),
        ["pointer-loop-after-a-label"] = (Message(0x0100, 1, 0, 0, 0, [3, (byte)'w', (byte)'e', (byte)'b', 0xC0, 0x0C], AIn), Malformed),
        ["pointer-pair-loop"] = (Message(0x0100, 1, 0, 0, 0, [0xC0, 0x0E, 0xC0, 0x0C], AIn), Malformed),
        ["forward-pointer-to-a-real-name"] = (Message(0x0100, 1, 0, 0, 0, [0xC0, 0x12], AIn, Name("web.cluster.local")), Malformed),
        ["pointer-past-the-end"] = (Message(0x0100, 1, 0, 0, 0, [0xFF, 0xFF], AIn), Malformed),
        ["reserved-label-type-0x40"] = (Message(0x0100, 1, 0, 0, 0, [0x41, (byte)'a', 0], AIn), Malformed),
        ["reserved-label-type-0x80"] = (Message(0x0100, 1, 0, 0, 0, [0x81, (byte)'a', 0], AIn), Malformed),
        ["label-of-64-bytes"] = (Message(0x0100, 1, 0, 0, 0, [.. Label(64), .. Name("cluster.local")], AIn), Malformed),
        ["label-runs-past-the-end"] = (Message(0x0100, 1, 0, 0, 0, [10, (byte)'w', (byte)'e', (byte)'b']), Malformed),
        ["name-without-its-root-byte"] = (Message(0x0100, 1, 0, 0, 0, [3, (byte)'w', (byte)'e', (byte)'b']), Malformed),
        ["name-of-256-bytes"] = (Message(0x0100, 1, 0, 0, 0, [.. LongName(3, 63)[..^1], .. Label(48), .. Name("cluster.local")], AIn), Malformed),
        ["name-of-321-bytes"] = (Message(0x0100, 1, 0, 0, 0, LongName(5, 63), AIn), Malformed),
        ["question-without-type-and-class"] = (Message(0x0100, 1, 0, 0, 0, Name("web.cluster.local")), Malformed),
        ["question-with-half-a-class"] = (Message(0x0100, 1, 0, 0, 0, Name("web.cluster.local"), [0, 1, 0]), Malformed),
        ["header-only"] = (Message(0x0100, 1, 0, 0, 0), Malformed),
        ["qdcount-0"] = (Message(0x0100, 0, 0, 0, 0, Name("web.cluster.local"), AIn), DnsOutcomes.Name(DnsOutcome.MultiQuestion)),
        ["qdcount-0-empty"] = (Message(0x0100, 0, 0, 0, 0), DnsOutcomes.Name(DnsOutcome.MultiQuestion)),
        ["qdcount-2"] = (TestDns.Query(Id, "web.cluster.local", TestDns.TypeA, questions: 2), DnsOutcomes.Name(DnsOutcome.MultiQuestion)),
        ["qdcount-2-with-one-question"] = (Message(0x0100, 2, 0, 0, 0, Name("web.cluster.local"), AIn), DnsOutcomes.Name(DnsOutcome.MultiQuestion)),
        ["qdcount-65535"] = (Message(0x0100, 0xFFFF, 0, 0, 0, Name("web.cluster.local"), AIn), DnsOutcomes.Name(DnsOutcome.MultiQuestion)),
        ["ancount-1-with-no-answer"] = (Message(0x0100, 1, 1, 0, 0, Name("web.cluster.local"), AIn), Malformed),
        ["ancount-65535"] = (Message(0x0100, 1, 0xFFFF, 0, 0, Name("web.cluster.local"), AIn), Malformed),
        ["nscount-1-with-no-record"] = (Message(0x0100, 1, 0, 1, 0, Name("web.cluster.local"), AIn), Malformed),
        ["arcount-1-with-no-record"] = (Message(0x0100, 1, 0, 0, 1, Name("web.cluster.local"), AIn), Malformed),
        ["arcount-0-with-an-opt-after"] = (Message(0x0100, 1, 0, 0, 0, Name("web.cluster.local"), AIn, Opt()), Malformed),
        ["trailing-garbage"] = (Message(0x0100, 1, 0, 0, 0, Name("web.cluster.local"), AIn, [0xDE, 0xAD]), Malformed),
        ["qr-1-sent-as-a-query"] = (Message(0x8100, 1, 0, 0, 0, Name("web.cluster.local"), AIn), Malformed),
        ["qr-1-with-answers"] = (Message(0x8500, 1, 1, 0, 0, Name("web.cluster.local"), AIn, [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 20]), Malformed),
        ["tc-set-on-a-query"] = (Message(0x0300, 1, 0, 0, 0, Name("web.cluster.local"), AIn), Malformed),
        ["opcode-status"] = (Message(0x1100, 1, 0, 0, 0, Name("web.cluster.local"), AIn), DnsOutcomes.Name(DnsOutcome.Opcode)),
        ["opt-in-the-answer-section"] = (Message(0x0100, 1, 1, 0, 0, Name("web.cluster.local"), AIn, Opt()), Malformed),
        ["opt-in-the-authority-section"] = (Message(0x0100, 1, 0, 1, 0, Name("web.cluster.local"), AIn, Opt()), Malformed),
        ["two-opt-records"] = (Message(0x0100, 1, 0, 0, 2, Name("web.cluster.local"), AIn, Opt(), Opt()), Malformed),
        ["opt-with-a-non-root-owner"] = (Message(0x0100, 1, 0, 0, 1, Name("web.cluster.local"), AIn, [1, (byte)'x', .. Opt()]), Malformed),
        ["additional-record-that-is-not-opt"] = (Message(0x0100, 1, 0, 0, 1, Name("web.cluster.local"), AIn, [0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 20]), Malformed),
        ["opt-rdlength-past-the-end"] = (Message(0x0100, 1, 0, 0, 1, Name("web.cluster.local"), AIn, Opt(rdLength: 100, rdata: [0, 10, 0, 2, 1, 2])), Malformed),
        ["opt-rdlength-short-of-the-end"] = (Message(0x0100, 1, 0, 0, 1, Name("web.cluster.local"), AIn, Opt(rdLength: 2, rdata: [0, 10, 0, 2, 1, 2])), Malformed),
        ["opt-option-length-lies"] = (Message(0x0100, 1, 0, 0, 1, Name("web.cluster.local"), AIn, Opt(rdLength: 6, rdata: [0, 10, 0, 9, 1, 2])), Malformed),
        ["opt-cut-inside-its-header"] = (Message(0x0100, 1, 0, 0, 1, Name("web.cluster.local"), AIn, Opt()[..7]), Malformed),

        // Controls: at the limits, not past them. These names are outside the tables and outside the zone, so forwarded.
        ["control-label-of-63-bytes"] = (Message(0x0100, 1, 0, 0, 0, [.. Label(63), .. Name("example.org")], AIn), DnsOutcomes.Name(DnsOutcome.NotInTable)),
        ["control-name-of-255-bytes"] = (Message(0x0100, 1, 0, 0, 0, [.. LongName(3, 63)[..^1], .. Label(49), .. Name("example.org")], AIn), DnsOutcomes.Name(DnsOutcome.NotInTable)),
        ["control-well-formed-with-opt"] = (Good, DnsOutcomes.Name(DnsOutcome.Replied)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Query_Malformed_ForwardedUnchangedAndCounted(string name)
    {
        var (dns, counter) = CaseTable[name];
        if (name == "control-name-of-255-bytes") Assert.Equal(12 + 255 + 4, dns.Length);
        if (name == "name-of-256-bytes") Assert.Equal(12 + 256 + 4, dns.Length);
        foreach (bool v6 in new[] { false, true })
        {
            string moved = Send(dns, v6, out bool answered);
            Assert.True(moved == counter, $"{name} over IPv{(v6 ? 6 : 4)}: moved peephole/dns/{moved}, expected {counter}");
            Assert.Equal(counter == DnsOutcomes.Name(DnsOutcome.Replied), answered);
        }
    }

    [Fact]
    public void Query_TruncatedAtEveryOffset_NeverAnsweredAlwaysMalformed()
    {
        byte[] whole = Good;
        int tried = 0;
        for (int cut = 0; cut < whole.Length; cut++)
        {
            foreach (bool v6 in new[] { false, true })
            {
                string moved = Send(whole[..cut], v6, out bool answered);
                Assert.False(answered, $"cut at {cut} over IPv{(v6 ? 6 : 4)} was answered");
                Assert.True(moved == Malformed, $"cut at {cut} over IPv{(v6 ? 6 : 4)}: moved peephole/dns/{moved}");
                tried++;
            }
        }
        output.WriteLine($"{tried} truncated queries ({whole.Length} offsets, IPv4 and IPv6), every one forwarded and counted malformed; " +
            $"{CaseTable.Count * 2} other malformed and control messages in Query_Malformed_ForwardedUnchangedAndCounted");
    }

    /// <summary>The UDP header lies about its length: the datagram is checked before the DNS inside it.</summary>
    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(2000)]
    public void Query_UdpLengthLies_ForwardedAndCountedMalformed(int udpLength)
    {
        byte[] frame = PeepholeFrames.Query(TestFrames.A, Good);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 20 + 4), (ushort)udpLength);
        CrossCheck.Wire.FixChecksums(frame);
        Assert.Equal(Malformed, Send(frame, out bool answered));
        Assert.False(answered);
    }

    private static string Send(byte[] dns, bool v6, out bool answered)
    {
        byte[] frame = v6
            ? PeepholeFrames.Udp6(TestFrames.A.Mac, PeepholeFrames.ServerMac, PeepholeFrames.ClientIp6, PeepholeFrames.ServerIp6, 40053, 53, dns)
            : PeepholeFrames.Query(TestFrames.A, dns);
        return Send(frame, out answered);
    }

    // Sends a frame in by p1 and returns the one peephole/dns counter that moved. A frame that is not
    // answered must leave by both other ports exactly as it came (the server's MAC is unknown, so it
    // floods); an answered one leaves by p1 only.
    private static string Send(byte[] frame, out bool answered)
    {
        using var sw = new PeepholeTestSwitch();
        List<(int Port, byte[] Frame)> sent = sw.Send(frame);
        Assert.Equal(sw.Pool.SlotCount, sw.Pool.Available);
        answered = sent.Any(s => s.Port == 0);
        if (!answered)
        {
            Assert.Equal([1, 2], sent.Select(s => s.Port));
            Assert.All(sent, s => Assert.Equal(frame, s.Frame));
        }
        var moved = sw.Loop.CounterSnapshot()
            .Where(kv => kv.Key.StartsWith("peephole/", StringComparison.Ordinal) && kv.Value != 0).ToList();
        var only = Assert.Single(moved);
        Assert.Equal(1, only.Value);
        Assert.StartsWith("peephole/dns/", only.Key, StringComparison.Ordinal);
        return only.Key["peephole/dns/".Length..];
    }
}
