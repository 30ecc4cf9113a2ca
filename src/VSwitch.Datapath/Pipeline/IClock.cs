using System.Diagnostics;

namespace VSwitch.Datapath.Pipeline;

/// <summary>Where the datapath's idea of "now" comes from, in nanoseconds on a monotonic scale.</summary>
/// <remarks>Injectable so that a capture's own timestamps can drive MAC aging during replay,
/// which makes a replay deterministic whatever the machine's speed.</remarks>
public interface IClock
{
    long NowNanoseconds { get; }
}

/// <summary>The machine's monotonic clock.</summary>
public sealed class MonotonicClock : IClock
{
    public static readonly MonotonicClock Instance = new();

    private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

    public long NowNanoseconds => (long)(Stopwatch.GetTimestamp() * NanosPerTick);
}

/// <summary>A clock that only moves when told to: capture replay and unit tests.</summary>
public sealed class ManualClock : IClock
{
    public long NowNanoseconds { get; private set; }

    /// <summary>Moves the clock to <paramref name="nanoseconds"/>; it never goes backwards.</summary>
    public void AdvanceTo(long nanoseconds)
    {
        if (nanoseconds > NowNanoseconds) NowNanoseconds = nanoseconds;
    }

    public void Advance(TimeSpan by) => NowNanoseconds += by.Ticks * 100;
}
