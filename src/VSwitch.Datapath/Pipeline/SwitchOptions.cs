using VSwitch.Datapath.Switching;

namespace VSwitch.Datapath.Pipeline;

/// <summary>The settings of the forwarding loop and its MAC table.</summary>
public sealed record SwitchOptions
{
    /// <summary>Most (VLAN, MAC) entries the table holds; new addresses beyond it are not learned.</summary>
    public int MacTableSize { get; init; } = MacTable.DefaultMaxEntries;

    /// <summary>How long an address is remembered after it was last seen as a source.</summary>
    public TimeSpan MacAging { get; init; } = MacTable.DefaultAging;

    /// <summary>What the loop does when a poll of every port found nothing.</summary>
    public IdlePolicy Idle { get; init; } = IdlePolicy.Default;

    /// <summary>What the loop sleeps in when idle (the daemon's poll on port descriptors), or null to sleep plainly.</summary>
    public IIdleWaiter? Waiter { get; init; }

    /// <summary>Most peephole replies per second per ingress port (a token bucket with a tenth of a
    /// second's burst, <see cref="Tenancy.RateLimiter"/>); 0 for no limit.</summary>
    public int PeepholeRateLimit { get; init; } = Tenancy.RateLimiter.DefaultRatePerSecond;

    /// <summary>MAC table slots examined for expiry per loop round.</summary>
    public int SweepSlotsPerRound { get; init; } = 64;
}
