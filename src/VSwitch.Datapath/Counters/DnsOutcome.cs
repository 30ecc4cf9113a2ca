namespace VSwitch.Datapath.Counters;

/// <summary>What the DNS responder did with a query; indexes its counters.</summary>
public enum DnsOutcome : byte
{
    /// <summary>Answered with the table's records.</summary>
    Replied,
    /// <summary>Answered NXDOMAIN: a name inside a local zone that the table does not have.</summary>
    NxDomain,
    /// <summary>Answered NOERROR with no records: the name exists without the asked type.</summary>
    NoData,
    /// <summary>Answered BADVERS: the query's EDNS version is above 0 (RFC 6891 6.1.3).</summary>
    BadVersion,
    /// <summary>Answered with TC=1, the question and no records: the whole answer does not fit the
    /// client's limit or the port's MTU, so the client retries over TCP (RFC 1035 4.2.1, RFC 2181 9).</summary>
    Truncated,
    /// <summary>Forwarded: the name is neither in the table nor in a local zone.</summary>
    NotInTable,
    /// <summary>Forwarded: an IP fragment (the query may not be whole).</summary>
    Fragment,
    /// <summary>Forwarded: not exactly one question.</summary>
    MultiQuestion,
    /// <summary>Forwarded: class other than IN.</summary>
    NotIn,
    /// <summary>Forwarded: an opcode other than QUERY.</summary>
    Opcode,
    /// <summary>Forwarded: not even a truncated reply fits. A guard that should never count: a truncated
    /// reply is never longer than the query it answers, which fitted the port.</summary>
    TooBig,
    /// <summary>Forwarded: DNS over TCP, which the peephole does not answer.</summary>
    Tcp,
    /// <summary>Forwarded: a type the tables cannot know for a table name outside every local zone (MX, TXT,
    /// SRV, ...: a real server may hold them for an overridden public name), or a meta-query (zone transfers).</summary>
    UnsupportedType,
    /// <summary>Forwarded: the source address is one no real server answers (broadcast, multicast, loopback,
    /// unspecified; RFC 1122 3.2.1.3, RFC 4291 2.7).</summary>
    MartianSource,
    /// <summary>Forwarded: a header or record that lies, a response sent as a query, a bad checksum.</summary>
    Malformed,
}

/// <summary>Counter names of <see cref="DnsOutcome"/>.</summary>
public static class DnsOutcomes
{
    public const int Count = (int)DnsOutcome.Malformed + 1;

    private static readonly string[] Names =
    [
        "replied", "nxdomain", "nodata", "badvers", "truncated", "forwarded-not-in-table", "forwarded-fragment",
        "forwarded-multi-question", "forwarded-not-in", "forwarded-opcode", "forwarded-too-big", "forwarded-tcp",
        "forwarded-unsupported-type", "forwarded-martian-source", "malformed",
    ];

    public static string Name(DnsOutcome outcome) => Names[(int)outcome];

    /// <summary>True for outcomes where the switch wrote a reply.</summary>
    public static bool IsReply(DnsOutcome outcome) => outcome <= DnsOutcome.Truncated;
}
