namespace VSwitch.Datapath.Counters;

/// <summary>What the ARP responder did with a request; indexes its counters.</summary>
public enum ArpOutcome : byte
{
    /// <summary>Answered from the neighbour table (a probe for a table address included, as its defender would).</summary>
    Replied,
    /// <summary>Forwarded: the target address is not in the table.</summary>
    NotInTable,
    /// <summary>Forwarded: a gratuitous ARP (sender and target address equal), an announcement, not a question.</summary>
    Gratuitous,
    /// <summary>Forwarded: the asker is the table's own MAC for that address (its own probe or announcement).</summary>
    OwnAddress,
    /// <summary>Forwarded: fields that contradict each other (Ethernet and ARP sender differ, a group sender MAC, a short packet).</summary>
    Malformed,
}

public static class ArpOutcomes
{
    public const int Count = (int)ArpOutcome.Malformed + 1;

    private static readonly string[] Names = ["replied", "forwarded-not-in-table", "forwarded-gratuitous", "forwarded-own-address", "malformed"];

    public static string Name(ArpOutcome outcome) => Names[(int)outcome];
}
