using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Tables;

namespace VSwitch.Datapath.Tenancy;

/// <summary>
/// One tenant's state: everything the responders touch while answering a frame for it.
/// </summary>
/// <remarks>
/// <para>The responders' code is shared by every tenant; before it runs for a frame, the peephole
/// picks the frame's tenant (by port, else by VLAN: <see cref="TableBinding.Resolve"/>) and hands
/// the responders this tenant's table snapshot, counters and rate limiter, and nothing else. No
/// responder keeps state of its own between frames: scratch space is on the stack of the call
/// answering one frame (zeroed by the runtime), and a reply is written over its own query in
/// full, every byte of it, so no byte of another frame or tenant survives into it. What the
/// datapath learns from traffic lives here too, per tenant: the routers that advertise on its
/// segments and the addresses its DHCP clients declined.</para>
/// <para>An edit to this tenant swaps <see cref="Tables"/> alone: one reference write, no copy,
/// and no other tenant's snapshot or binding changes.</para>
/// </remarks>
public sealed class Tenant(string name, PeepholeTables tables)
{
    public const string DefaultName = "default";

    private PeepholeTables _tables = tables;

    public string Name { get; } = name;

    /// <summary>The tenant's current snapshot; set from any thread, seen by the loop at its next frame.</summary>
    public PeepholeTables Tables
    {
        get => Volatile.Read(ref _tables);
        set => Volatile.Write(ref _tables, value);
    }

    /// <summary>Outcomes of this tenant's queries.</summary>
    public PeepholeCounters Counters { get; } = new();

    /// <summary>IPv6 routers learned from this tenant's Router Advertisements (loop thread only).</summary>
    public LearnedRouters Routers { get; } = new();

    /// <summary>Addresses this tenant's DHCP clients declined, held back from them (loop thread only).</summary>
    public DeclinedLeases Declines { get; } = new();

    private int _dnsPort = -1;

    /// <summary>The port of the tenant's DNS service (the slow path behind its DNS address), or -1 for none.
    /// Queries to the DNS address that the peephole does not answer, and DNS over TCP to it, go there.</summary>
    public int DnsPort
    {
        get => Volatile.Read(ref _dnsPort);
        set => Volatile.Write(ref _dnsPort, value);
    }

    /// <summary>The tenant's own reply-rate limiter, or null to use the switch-wide one.</summary>
    public RateLimiter? Limiter { get; init; }

    public override string ToString() => Name;
}
