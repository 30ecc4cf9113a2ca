using VSwitch.Datapath.Tables;

namespace VSwitch.Datapath.Peephole.Dns;

/// <summary>What the reply to one query will hold, decided before a byte of the query is overwritten.</summary>
/// <remarks>Deciding first lets the responder check the whole reply's size and forward the query
/// untouched when it does not fit: the datapath never sends a truncated partial answer.</remarks>
public readonly ref struct DnsAnswerPlan
{
    public DnsOutcome Outcome { get; init; }
    public int Rcode { get; init; }
    /// <summary>The type of the answer records (A, AAAA, PTR or SOA), when there are any.</summary>
    public ushort AnswerType { get; init; }
    public int AnswerCount { get; init; }
    /// <summary>The names-map value for A/AAAA answers.</summary>
    public ReadOnlySpan<byte> Record { get; init; }
    /// <summary>The target name of a PTR answer.</summary>
    public ReadOnlySpan<byte> PtrTarget { get; init; }
    /// <summary>Offset of the zone apex within the question name (the SOA's owner), or -1 outside local zones.</summary>
    public int ApexOffset { get; init; }
    /// <summary>Whether the zone's SOA goes in the authority section (negative answers, RFC 2308).</summary>
    public bool AuthoritySoa { get; init; }

    /// <summary>Bytes the records of this plan add after the question (OPT not included).</summary>
    public int RecordsLength => AnswerType switch
    {
        DnsQuery.TypeA => AnswerCount * (DnsReplyWriter.RecordHeadLength + 4),
        DnsQuery.TypeAaaa => AnswerCount * (DnsReplyWriter.RecordHeadLength + 16),
        DnsQuery.TypePtr => AnswerCount * (DnsReplyWriter.RecordHeadLength + PtrTarget.Length),
        DnsQuery.TypeSoa => AnswerCount * DnsReplyWriter.SoaLength,
        _ => 0,
    } + (AuthoritySoa ? DnsReplyWriter.SoaLength : 0);

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
            if (length > 0 && tables.Reverse.TryGet(address[..length], out ReadOnlySpan<byte> target))
                return new DnsAnswerPlan { Outcome = DnsOutcome.Replied, AnswerType = type, AnswerCount = 1, PtrTarget = target, ApexOffset = -1 };
        }

        if (tables.Names.TryGet(name, out ReadOnlySpan<byte> value))
        {
            // Meta-queries (ANY, zone transfers, ...) are left to a real server.
            if (type is >= 128 and <= 255) return Forward(DnsOutcome.UnsupportedType);
            var record = new NameRecord(value);
            int count = type switch
            {
                DnsQuery.TypeA => record.IPv4Count,
                DnsQuery.TypeAaaa => record.IPv6Count,
                DnsQuery.TypeSoa when apex == 0 => 1,
                _ => 0,
            };
            if (count > 0)
                return new DnsAnswerPlan { Outcome = DnsOutcome.Replied, AnswerType = type, AnswerCount = count, Record = value, ApexOffset = apex };
            return new DnsAnswerPlan { Outcome = DnsOutcome.NoData, ApexOffset = apex, AuthoritySoa = apex >= 0 };
        }
        if (apex >= 0) return new DnsAnswerPlan { Outcome = DnsOutcome.NxDomain, Rcode = 3, ApexOffset = apex, AuthoritySoa = true };
        return Forward(DnsOutcome.NotInTable);
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
