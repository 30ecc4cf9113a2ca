namespace VSwitch.Datapath.Pipeline;

/// <summary>How the forwarding loop waits when a poll of every port found nothing.</summary>
/// <remarks>
/// A poll-mode loop that never waits burns a core even when the switch is idle; one that sleeps
/// at once adds the sleep to the first frame after a quiet spell. The policy escalates:
/// spin for <see cref="SpinRounds"/> empty polls (no latency added), then yield the core for
/// <see cref="YieldRounds"/> polls (cheap if nothing else wants it), then sleep
/// <see cref="SleepMicroseconds"/> per poll until traffic returns. With an <see cref="IIdleWaiter"/>
/// the sleep ends the moment a port has frames, so it can be long without adding latency.
/// </remarks>
public sealed record IdlePolicy(int SpinRounds = 2000, int YieldRounds = 200, int SleepMicroseconds = 1000)
{
    /// <summary>Spin, then yield, then sleep 1 ms: low latency under load, little CPU when idle.</summary>
    public static IdlePolicy Default { get; } = new();

    /// <summary>Never waits: the lowest latency at the price of a core (benchmarks).</summary>
    public static IdlePolicy BusyPoll { get; } = new(int.MaxValue, 0, 0);

    /// <summary>Waits after an empty poll, <paramref name="idleRounds"/> being how many empty polls in a row there were.</summary>
    public void Wait(int idleRounds, ForwardingLoop loop, IIdleWaiter? waiter)
    {
        if (idleRounds < SpinRounds)
        {
            Thread.SpinWait(20);
        }
        else if (idleRounds < SpinRounds + YieldRounds)
        {
            Thread.Yield();
        }
        else if (SleepMicroseconds > 0)
        {
            if (waiter is not null) waiter.Wait(loop, TimeSpan.FromMicroseconds(SleepMicroseconds));
            else Thread.Sleep(TimeSpan.FromMicroseconds(SleepMicroseconds));
        }
    }
}
