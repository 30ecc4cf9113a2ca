namespace VSwitch.Datapath.Pipeline;

/// <summary>How the forwarding loop waits when a poll of every port found nothing.</summary>
/// <remarks>
/// A poll-mode loop that never waits burns a core even when the switch is idle; one that sleeps
/// at once adds the wake-up to the first frame after a quiet spell. The policy escalates by how
/// long the loop has found nothing: spin for <see cref="SpinMicroseconds"/> (no latency added),
/// then yield the core for <see cref="YieldMicroseconds"/> (cheap if nothing else wants it), then
/// sleep <see cref="SleepMicroseconds"/> per poll until traffic returns. With an
/// <see cref="IIdleWaiter"/> the sleep ends the moment a port has frames, so it can be long.
/// <para>The spell is measured in time, not rounds, and the default spin is long (10 ms): under
/// load, frames come in bursts with gaps of a few milliseconds (a generator or a guest losing
/// its core to the scheduler), and waking a sleeping vCPU on this kind of VM takes long enough
/// that a receive ring overflows behind it. Measured with 64-byte frames on AF_PACKET ports:
/// about 0.5 Mpps when the loop slept after ~2 ms of nothing, 0.6-0.7 Mpps when it spun. An idle
/// switch still sleeps: it spins 10 ms after the last frame, then costs nothing.</para>
/// </remarks>
public sealed record IdlePolicy(int SpinMicroseconds = 10_000, int YieldMicroseconds = 1_000, int SleepMicroseconds = 1000)
{
    /// <summary>Spin 10 ms, yield 1 ms, then sleep: poll-mode under load, little CPU when idle.</summary>
    public static IdlePolicy Default { get; } = new();

    /// <summary>Never waits: the lowest latency at the price of a core (benchmarks).</summary>
    public static IdlePolicy BusyPoll { get; } = new(int.MaxValue, 0, 0);

    /// <summary>Waits after an empty poll, <paramref name="idleFor"/> being how long every poll has found nothing.</summary>
    public void Wait(TimeSpan idleFor, ForwardingLoop loop, IIdleWaiter? waiter)
    {
        double micros = idleFor.TotalMicroseconds;
        if (micros < SpinMicroseconds)
        {
            Thread.SpinWait(20);
        }
        else if (micros < (double)SpinMicroseconds + YieldMicroseconds)
        {
            Thread.Yield();
        }
        else if (SleepMicroseconds > 0)
        {
            if (waiter is not null) waiter.Wait(loop, TimeSpan.FromMicroseconds(SleepMicroseconds));
            else Thread.Sleep(TimeSpan.FromMicroseconds(SleepMicroseconds));
        }
        else
        {
            Thread.SpinWait(20);
        }
    }
}
