using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Counters;

namespace VSwitch.Datapath.Peephole.Dns;

/// <summary>What the reply to one query will hold, decided before a byte of the query is overwritten.</summary>
/// <remarks>Deciding first lets the responder check the whole reply's size before writing: an answer
/// that does not fit becomes a truncated reply (TC=1), never a partial answer.</remarks>
public readonly ref struct DnsAnswerPlan
{
    public DnsOutcome Outcome { get; init; }
    public int Rcode { get; init; }
    /// <summary>The type of the answer records (A, AAAA, ANY for both, PTR, SOA or NS), when there are any.</summary>
    public ushort AnswerType { get; init; }
    public int AnswerCount { get; init; }
    /// <summary>The names-map value for A/AAAA/ANY answers.</summary>
    public ReadOnlySpan<byte> Record { get; init; }
    /// <summary>The target name of a PTR or NS answer.</summary>
    public ReadOnlySpan<byte> Target { get; init; }
    /// <summary>The names-map value of an NS answer's target, whose addresses go in the additional section as glue.</summary>
    public ReadOnlySpan<byte> Glue { get; init; }
    /// <summary>Offset of the zone apex within the question name (the SOA's owner), or -1 outside local zones.</summary>
    public int ApexOffset { get; init; }
    /// <summary>Whether the zone's SOA goes in the authority section (negative answers, RFC 2308).</summary>
    public bool AuthoritySoa { get; init; }

    /// <summary>Glue records in the additional section (NS answers only).</summary>
    public int GlueCount => Glue.IsEmpty ? 0 : new NameRecord(Glue).IPv4Count + new NameRecord(Glue).IPv6Count;

    /// <summary>Bytes the records of this plan add after the question (OPT not included).</summary>
    public int RecordsLength => AnswerType switch
    {
        DnsQuery.TypeA => AnswerCount * (DnsReplyWriter.RecordHeadLength + 4),
        DnsQuery.TypeAaaa => AnswerCount * (DnsReplyWriter.RecordHeadLength + 16),
        DnsQuery.TypeAny => AddressesLength(Record),
        DnsQuery.TypePtr => AnswerCount * (DnsReplyWriter.RecordHeadLength + Target.Length),
        DnsQuery.TypeNs => DnsReplyWriter.RecordHeadLength + Target.Length + AddressesLength(Glue),
        DnsQuery.TypeSoa => AnswerCount * DnsReplyWriter.SoaLength,
        _ => 0,
    } + (AuthoritySoa ? DnsReplyWriter.SoaLength : 0);

    // The A and AAAA records of a names-map value, both families (ANY, and NS glue).
    private static int AddressesLength(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty) return 0;
        var record = new NameRecord(value);
        return record.IPv4Count * (DnsReplyWriter.RecordHeadLength + 4) + record.IPv6Count * (DnsReplyWriter.RecordHeadLength + 16);
    }

    /// <summary>The plan for a query as read: BADVERS for an EDNS version above 0 (RFC 6891 6.1.3), else <see cref="Decide"/>.</summary>
    public static DnsAnswerPlan For(in DnsQuery query, PeepholeTables tables) =>
        query.HasOpt && query.OptVersion != 0 ? new DnsAnswerPlan { Outcome = DnsOutcome.BadVersion, ApexOffset = -1 } : Decide(query, tables);

    /// <summary>The reply's length within <paramref name="limit"/>: the whole answer, or, when that does
    /// not fit, the question and OPT alone (<paramref name="truncated"/>); -1 when not even that fits.</summary>
    /// <remarks>An answer over the limit becomes the question alone with TC=1, so the client asks
    /// again over TCP (RFC 1035 4.2.1, RFC 2181 9: records are not split), rather than going to a
    /// server that may not know the zone.</remarks>
    public int ReplyLength(in DnsQuery query, int limit, out bool truncated)
    {
        int opt = query.HasOpt ? DnsReplyWriter.OptLength : 0;
        int whole = query.QuestionEnd + RecordsLength + opt;
        truncated = whole > limit;
        int length = truncated ? query.QuestionEnd + opt : whole;
        return length <= limit ? length : -1;
    }

    /// <summary>The client's own limit over UDP: 512 bytes, or its EDNS payload size if larger (RFC 6891 6.2.5).</summary>
    public static int UdpLimit(in DnsQuery query) => query.HasOpt ? Math.Max(512, (int)query.OptPayloadSize) : 512;

    /// <summary>Decides the answer to <paramref name="query"/> from <paramref name="tables"/>.</summary>
    public static DnsAnswerPlan Decide(in DnsQuery query, PeepholeTables tables)
    {
        ReadOnlySpan<byte> asked = query.QuestionName;
        Span<byte> name = stackalloc byte[asked.Length];
        DnsName.ToLower(asked, name);
        ushort type = query.QuestionType;
        int apex = ZoneApexOffset(name, tables.Zones);

        if (type == DnsQuery.TypePtr)
        {
            Span<byte> address = stackalloc byte[16];
            int length = ReverseName.TryParse(name, address);
            if (length > 0 && tables.TryGetPtrName(address[..length], out ReadOnlySpan<byte> target))
                return new DnsAnswerPlan { Outcome = DnsOutcome.Replied, AnswerType = type, AnswerCount = 1, Target = target, ApexOffset = -1 };
        }

        if (tables.Names.TryGet(name, out ReadOnlySpan<byte> value))
        {
            // Meta-queries other than ANY (zone transfers, MAILA, MAILB) are left to a real server.
            if (type is >= 128 and < DnsQuery.TypeAny) return Forward(DnsOutcome.UnsupportedType);
            // Outside the local zones the tables only know a name's addresses: another type (MX, TXT,
            // SRV, ...) may exist at a real server for a public name the hosts file overrides, so it
            // is asked there, as dnsmasq does, rather than denied with an authoritative NODATA.
            if (apex < 0 && type is not (DnsQuery.TypeA or DnsQuery.TypeAaaa or DnsQuery.TypeAny)) return Forward(DnsOutcome.UnsupportedType);
            var record = new NameRecord(value);
            int count = type switch
            {
                DnsQuery.TypeA => record.IPv4Count,
                DnsQuery.TypeAaaa => record.IPv6Count,
                // RFC 8482 4.1: ANY may be answered with a subset; the address records are what the tables hold.
                DnsQuery.TypeAny => record.IPv4Count + record.IPv6Count,
                _ => 0,
            };
            if (count > 0)
                return new DnsAnswerPlan { Outcome = DnsOutcome.Replied, AnswerType = type, AnswerCount = count, Record = value, ApexOffset = apex };
            if (apex == 0 && type is DnsQuery.TypeSoa or DnsQuery.TypeAny)
                return new DnsAnswerPlan { Outcome = DnsOutcome.Replied, AnswerType = DnsQuery.TypeSoa, AnswerCount = 1, ApexOffset = apex };
            if (apex == 0 && type == DnsQuery.TypeNs && tables.NsName is { } ns)
                return NsAnswer(ns, tables, apex);
            return new DnsAnswerPlan { Outcome = DnsOutcome.NoData, ApexOffset = apex, AuthoritySoa = apex >= 0 };
        }
        if (apex >= 0) return new DnsAnswerPlan { Outcome = DnsOutcome.NxDomain, Rcode = 3, ApexOffset = apex, AuthoritySoa = true };
        return Forward(DnsOutcome.NotInTable);
    }

    // The configured server name at a zone apex, with its addresses as glue when the tables have them.
    private static DnsAnswerPlan NsAnswer(byte[] ns, PeepholeTables tables, int apex)
    {
        Span<byte> key = stackalloc byte[ns.Length];
        DnsName.ToLower(ns, key);
        tables.Names.TryGet(key, out ReadOnlySpan<byte> glue);
        return new DnsAnswerPlan
        {
            Outcome = DnsOutcome.Replied, AnswerType = DnsQuery.TypeNs, AnswerCount = 1, Target = ns, Glue = glue, ApexOffset = apex,
        };
    }

    private static DnsAnswerPlan Forward(DnsOutcome outcome) => new() { Outcome = outcome, ApexOffset = -1 };

    // Where the apex of the innermost local zone holding the name starts in the name, or -1 outside
    // every zone. With nested zones (cluster.local and svc.cluster.local) the innermost one answers
    // for the name, whatever order the zones were listed in: being the longest, it starts earliest.
    private static int ZoneApexOffset(ReadOnlySpan<byte> name, byte[][] zones)
    {
        int apex = -1;
        foreach (byte[] zone in zones)
        {
            if (DnsName.IsAtOrBelow(name, zone, out int offset) && (apex < 0 || offset < apex)) apex = offset;
        }
        return apex;
    }
}
