namespace VSwitch.Datapath.Counters;

/// <summary>What the DHCP responder did with a client's message; indexes its counters.</summary>
public enum DhcpOutcome : byte
{
    /// <summary>Answered a DISCOVER with an OFFER.</summary>
    Offered,
    /// <summary>Answered a REQUEST for the client's table address with an ACK.</summary>
    Acked,
    /// <summary>Answered a REQUEST for another address (INIT-REBOOT, RENEWING, REBINDING, or SELECTING us) with a NAK.</summary>
    Naked,
    /// <summary>Answered an INFORM with an ACK carrying options only.</summary>
    Informed,
    /// <summary>A RELEASE, counted and forwarded (a static lease has nothing to free).</summary>
    Released,
    /// <summary>A DECLINE, counted and forwarded: the table's address is in use by someone else.</summary>
    Declined,
    /// <summary>Forwarded: the client declined its table address less than the back-off ago (<c>DeclinedLeases</c>).</summary>
    HeldBack,
    /// <summary>Forwarded: the client's MAC has no IPv4 address in the scope (a real server may know it).</summary>
    NotInTable,
    /// <summary>Forwarded: giaddr is set (relayed), the client chose another server's offer, or it sent to another server's address.</summary>
    NotForUs,
    /// <summary>Forwarded: option overload, or a message type we do not serve.</summary>
    Unsupported,
    /// <summary>Forwarded: an IP fragment, or the reply would not fit the client's limit or the MTU.</summary>
    TooBigOrFragment,
    /// <summary>Forwarded: not well-formed BOOTP/DHCP (op, htype, hlen, cookie, option lengths, option 53 not exactly once).</summary>
    Malformed,
}

public static class DhcpOutcomes
{
    public const int Count = (int)DhcpOutcome.Malformed + 1;

    private static readonly string[] Names =
    [
        "offered", "acked", "naked", "informed", "released", "declined", "forwarded-declined-back-off", "forwarded-not-in-table",
        "forwarded-not-for-us", "forwarded-unsupported", "forwarded-too-big-or-fragment", "malformed",
    ];

    public static string Name(DhcpOutcome outcome) => Names[(int)outcome];

    public static bool IsReply(DhcpOutcome outcome) => outcome <= DhcpOutcome.Informed;
}
