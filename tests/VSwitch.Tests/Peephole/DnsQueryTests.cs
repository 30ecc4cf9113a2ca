using System.Buffers.Binary;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Tests.Scenarios;
using static VSwitch.Tests.Frames.TestPackets;
using VSwitch.Datapath.Counters;

namespace VSwitch.Tests.Peephole;

public class DnsQueryTests
{
    // What dig sends for "example.com A" by default: RD and AD set, EDNS0 with 1232 bytes and an 8-byte client cookie.
    private const string DigQuery =
        "ab12 0120 0001 0000 0000 0001" +
        "07 6578616d706c65 03 636f6d 00 0001 0001" +
        "00 0029 04d0 00 00 0000 000c 000a 0008 0123456789abcdef";

    private static byte[] Plain() => TestDns.Query(0x1234, "web.cluster.local", TestDns.TypeA);

    private static byte[] Edns() => TestDns.Query(0x1234, "web.cluster.local", TestDns.TypeA, ednsSize: 1232);

    private static byte[] SetU16(byte[] message, int offset, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(offset), value);
        return message;
    }

    /// <summary>A query with ARCOUNT 1 and <paramref name="record"/> appended as its additional record.</summary>
    private static byte[] WithAdditional(params byte[] record) => SetU16([.. Plain(), .. record], 10, 1);

    [Fact]
    public void TryRead_DigVector_ReadsEveryField()
    {
        byte[] message = Hex(DigQuery);
        Assert.Null(DnsQuery.TryRead(message, out DnsQuery query));
        Assert.Equal(0xab12, query.Id);
        Assert.Equal(0x0120, query.Flags);
        Assert.True(query.RecursionDesired);
        Assert.False(query.CheckingDisabled);
        Assert.Equal(TestDns.Name("example.com"), query.QuestionName.ToArray());
        Assert.Equal(13, query.QuestionNameLength);
        Assert.Equal(DnsQuery.TypeA, query.QuestionType);
        Assert.Equal(DnsQuery.ClassIn, query.QuestionClass);
        Assert.Equal(29, query.QuestionEnd);
        Assert.True(query.HasOpt);
        Assert.Equal(1232, query.OptPayloadSize);
        Assert.Equal(0, query.OptVersion);
        Assert.False(query.DnssecOk);
    }

    [Fact]
    public void TryRead_PlainQuery_NoOpt()
    {
        Assert.Null(DnsQuery.TryRead(Plain(), out DnsQuery query));
        Assert.False(query.HasOpt);
        Assert.Equal(Plain().Length, query.QuestionEnd);
        Assert.Equal(TestDns.Name("web.cluster.local"), query.QuestionName.ToArray());
    }

    [Fact]
    public void TryRead_MixedCaseName_KeptAsAsked()
    {
        byte[] message = TestDns.Query(7, "WeB.ClUsTeR.LoCaL", TestDns.TypeAaaa, rd: false);
        Assert.Null(DnsQuery.TryRead(message, out DnsQuery query));
        Assert.Equal(TestDns.Name("WeB.ClUsTeR.LoCaL"), query.QuestionName.ToArray());
        Assert.False(query.RecursionDesired);
        Assert.Equal(DnsQuery.TypeAaaa, query.QuestionType);
    }

    [Fact]
    public void TryRead_EdnsVersionAndDo_Read()
    {
        byte[] message = TestDns.Query(7, "web", TestDns.TypeA, ednsSize: 4096, ednsVersion: 1, dnssecOk: true);
        // A version above 0 is read, not refused: the responder answers it with BADVERS.
        Assert.Null(DnsQuery.TryRead(message, out DnsQuery query));
        Assert.Equal(4096, query.OptPayloadSize);
        Assert.Equal(1, query.OptVersion);
        Assert.True(query.DnssecOk);
    }

    [Theory]
    [InlineData("")]                                        // no options
    [InlineData("000a 0008 0123456789abcdef")]              // a cookie
    [InlineData("000c 0000")]                               // an empty option (padding)
    [InlineData("0008 0004 00011800 000a 0008 0011223344556677")]  // two options
    public void TryRead_OptOptionsTileRdata_Accepted(string options)
    {
        byte[] rdata = Hex(options);
        byte[] opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, (byte)(rdata.Length >> 8), (byte)rdata.Length, .. rdata];
        Assert.Null(DnsQuery.TryRead(WithAdditional(opt), out DnsQuery query));
        Assert.True(query.HasOpt);
    }

    public static TheoryData<string, DnsOutcome> Refusals() => new()
    {
        { "header-only-11-bytes", DnsOutcome.Malformed },
        { "qr-set", DnsOutcome.Malformed },
        { "opcode-iquery", DnsOutcome.Opcode },
        { "opcode-status", DnsOutcome.Opcode },
        { "opcode-notify", DnsOutcome.Opcode },
        { "opcode-update", DnsOutcome.Opcode },
        { "opcode-15", DnsOutcome.Opcode },
        { "tc-set", DnsOutcome.Malformed },
        { "qdcount-0", DnsOutcome.MultiQuestion },
        { "qdcount-0-header-only", DnsOutcome.MultiQuestion },
        { "qdcount-2", DnsOutcome.MultiQuestion },
        { "qdcount-2-one-present", DnsOutcome.MultiQuestion },
        { "ancount-lies", DnsOutcome.Malformed },
        { "nscount-lies", DnsOutcome.Malformed },
        { "ancount-with-record", DnsOutcome.Malformed },
        { "arcount-lies", DnsOutcome.Malformed },
        { "two-additional-records", DnsOutcome.Malformed },
        { "opt-owner-not-root", DnsOutcome.Malformed },
        { "additional-not-type-41", DnsOutcome.Malformed },
        { "opt-cut-short", DnsOutcome.Malformed },
        { "opt-rdlength-past-end", DnsOutcome.Malformed },
        { "opt-option-overruns-rdata", DnsOutcome.Malformed },
        { "opt-option-header-cut", DnsOutcome.Malformed },
        { "trailing-garbage", DnsOutcome.Malformed },
        { "trailing-garbage-after-opt", DnsOutcome.Malformed },
        { "name-compressed", DnsOutcome.Malformed },
        { "name-runs-off-the-end", DnsOutcome.Malformed },
        { "no-type-or-class", DnsOutcome.Malformed },
        { "name-label-64", DnsOutcome.Malformed },
        { "class-ch", DnsOutcome.NotIn },
        { "class-any", DnsOutcome.NotIn },
        { "class-ch-with-opt", DnsOutcome.NotIn },
    };

    private static byte[] Refusal(string name) => name switch
    {
        "header-only-11-bytes" => Plain()[..11],
        "qr-set" => SetU16(Plain(), 2, 0x8100),
        "opcode-iquery" => SetU16(Plain(), 2, 0x0900),
        "opcode-status" => SetU16(Plain(), 2, 0x1100),
        "opcode-notify" => SetU16(Plain(), 2, 0x2000),
        "opcode-update" => SetU16(Plain(), 2, 0x2800),
        "opcode-15" => SetU16(Plain(), 2, 0x7900),
        "tc-set" => SetU16(Plain(), 2, 0x0300),
        "qdcount-0" => SetU16(Plain(), 4, 0),
        "qdcount-0-header-only" => SetU16(Plain()[..12], 4, 0),
        "qdcount-2" => TestDns.Query(0x1234, "web.cluster.local", TestDns.TypeA, questions: 2),
        "qdcount-2-one-present" => SetU16(Plain(), 4, 2),
        "ancount-lies" => SetU16(Plain(), 6, 1),
        "nscount-lies" => SetU16(Plain(), 8, 1),
        "ancount-with-record" => SetU16([.. Plain(), .. TestDns.ARecord(60, "192.0.2.1")], 6, 1),
        "arcount-lies" => SetU16(Plain(), 10, 1),
        "two-additional-records" => SetU16([.. Edns(), .. TestDns.Opt(1232, 0, false)], 10, 2),
        "opt-owner-not-root" => WithAdditional([1, (byte)'a', .. TestDns.Opt(1232, 0, false)]),
        "additional-not-type-41" => WithAdditional(0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1),
        "opt-cut-short" => WithAdditional(0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0),
        "opt-rdlength-past-end" => WithAdditional(0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 4),
        // RDLENGTH 6 holds the option's code and length but the option claims 8 more bytes.
        "opt-option-overruns-rdata" => WithAdditional(0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 6, 0, 10, 0, 8, 1, 2),
        "opt-option-header-cut" => WithAdditional(0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 3, 0, 10, 0),
        "trailing-garbage" => [.. Plain(), 0],
        "trailing-garbage-after-opt" => [.. Edns(), 0xff],
        "name-compressed" => [.. Plain()[..12], 0xc0, 0x0c, 0, 1, 0, 1],
        "name-runs-off-the-end" => Plain()[..20],
        "no-type-or-class" => Plain()[..(12 + 19)],
        "name-label-64" => TestDns.Query(1, new string('a', 64) + ".local", TestDns.TypeA),
        "class-ch" => TestDns.Query(0x1234, "web.cluster.local", TestDns.TypeA, cls: 3),
        "class-any" => TestDns.Query(0x1234, "web.cluster.local", TestDns.TypeA, cls: 255),
        "class-ch-with-opt" => TestDns.Query(0x1234, "web.cluster.local", TestDns.TypeA, cls: 3, ednsSize: 1232),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void TryRead_QueryWeMustNotAnswer_ReturnsItsOutcome(string shape, DnsOutcome expected)
    {
        Assert.Equal(expected, DnsQuery.TryRead(Refusal(shape), out _));
    }

    [Theory]
    [InlineData(DigQuery)]
    public void TryRead_TruncatedAtEveryOffset_ReturnsMalformed(string hex)
    {
        byte[] message = Hex(hex);
        for (int length = 0; length < message.Length; length++)
        {
            DnsOutcome? outcome = DnsQuery.TryRead(message.AsSpan(0, length), out _);
            Assert.True(outcome == DnsOutcome.Malformed, $"the first {length} of {message.Length} bytes gave {outcome?.ToString() ?? "answerable"}");
        }
    }

    [Fact]
    public void TryRead_EdnsQueryTruncatedAtEveryOffset_NeverAnswerable()
    {
        byte[] message = TestDns.Query(0x1234, "WeB.cluster.local", TestDns.TypeAaaa, ednsSize: 4096, dnssecOk: true);
        for (int length = 0; length < message.Length; length++)
            Assert.NotNull(DnsQuery.TryRead(message.AsSpan(0, length), out _));
        Assert.Null(DnsQuery.TryRead(message, out _));
    }
}
