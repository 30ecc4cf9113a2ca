namespace VSwitch.Datapath.Buffers;

/// <summary>Why the switch dropped a frame; indexes the per-port drop counters.</summary>
/// <remarks>Every drop site names one of these, so a drop is never silent. The kebab-case names
/// used on the control socket come from <see cref="DropReasons.Name"/>.</remarks>
public enum DropReason : byte
{
    None = 0,
    /// <summary>Shorter than an Ethernet header (14 bytes).</summary>
    Runt,
    /// <summary>A header that lies: an 802.1Q tag cut short, an 802.3 length beyond the frame.</summary>
    Malformed,
    /// <summary>The source MAC is a group address, which no station may send from.</summary>
    MulticastSource,
    /// <summary>The payload is longer than the ingress or egress port's MTU.</summary>
    OverMtu,
    /// <summary>A VLAN-tagged frame on an access port.</summary>
    TaggedOnAccess,
    /// <summary>An untagged frame on a trunk port.</summary>
    UntaggedOnTrunk,
    /// <summary>A tagged frame whose VLAN the trunk does not carry.</summary>
    VlanNotAllowed,
    /// <summary>The destination was learned on the port the frame came in by.</summary>
    SamePort,
    /// <summary>No free frame slot for a copy or a receive.</summary>
    NoBuffer,
    /// <summary>The port could not send it (device gone, queue full).</summary>
    TxError,
    /// <summary>The egress port is down.</summary>
    PortDown,
}

/// <summary>Names and count of <see cref="DropReason"/> values.</summary>
public static class DropReasons
{
    public const int Count = (int)DropReason.PortDown + 1;

    private static readonly string[] Names =
    [
        "none", "runt", "malformed", "multicast-source", "over-mtu", "tagged-on-access",
        "untagged-on-trunk", "vlan-not-allowed", "same-port", "no-buffer", "tx-error", "port-down",
    ];

    /// <summary>The counter name of a reason, as it appears in counter paths (<c>drop/runt</c>).</summary>
    public static string Name(DropReason reason) => Names[(int)reason];
}
