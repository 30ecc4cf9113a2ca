namespace VSwitch.Datapath.Peephole.Neighbor;

/// <summary>What the neighbour-discovery responder did with a solicitation; indexes its counters.</summary>
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
    /// <summary>Forwarded: fails RFC 4861 7.1.1 validation (hop limit, checksum, code, length, options, target).</summary>
    Malformed,
}

public static class NdOutcomes
{
    public const int Count = (int)NdOutcome.Malformed + 1;

    private static readonly string[] Names = ["replied", "replied-dad", "forwarded-not-in-table", "forwarded-own-address", "malformed"];

    public static string Name(NdOutcome outcome) => Names[(int)outcome];
}
