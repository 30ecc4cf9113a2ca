namespace VSwitch.Datapath.Counters;

/// <summary>What the neighbour-discovery responder did with a solicitation or a router advertisement; indexes its counters.</summary>
public enum NdOutcome : byte
{
    /// <summary>Answered a solicitation with a solicited advertisement to the asker.</summary>
    Replied,
    /// <summary>Answered a duplicate-address-detection probe with an advertisement to all nodes (RFC 4861 7.2.4).</summary>
    RepliedDad,
    /// <summary>Forwarded: the target address is not in the table.</summary>
    NotInTable,
    /// <summary>Forwarded: the asker is the table's own MAC for the target (its own DAD or refresh).</summary>
    OwnAddress,
    /// <summary>Forwarded: the target is a router learned from its advertisements; only it can answer with R=1.</summary>
    Router,
    /// <summary>Forwarded: the source is multicast or loopback, which no solicitation may come from.</summary>
    MartianSource,
    /// <summary>A valid Router Advertisement (RFC 4861 6.1.2) whose router is now remembered; forwarded.</summary>
    RouterLearned,
    /// <summary>A Router Advertisement that fails validation (not link-local, hop limit, checksum, length, options); forwarded, not learned.</summary>
    RouterIgnored,
    /// <summary>Forwarded: fails RFC 4861 7.1.1 validation (hop limit, checksum, code, length, options, target).</summary>
    Malformed,
}

public static class NdOutcomes
{
    public const int Count = (int)NdOutcome.Malformed + 1;

    private static readonly string[] Names =
    [
        "replied", "replied-dad", "forwarded-not-in-table", "forwarded-own-address", "forwarded-router",
        "forwarded-martian-source", "ra-learned", "ra-ignored", "malformed",
    ];

    public static string Name(NdOutcome outcome) => Names[(int)outcome];
}
