using VSwitch.Datapath.Ports;

namespace VSwitch.Datapath.Pipeline;

/// <summary>Drives a forwarding loop through timestamped inputs (captures) in capture-time order.</summary>
/// <remarks>
/// Each round moves the clock to the earliest pending timestamp over all timed ports and polls
/// once, so frames from several captures interleave as they were recorded, and MAC aging
/// follows capture time. Runs the same <see cref="ForwardingLoop.RunOnce"/> the daemon runs.
/// </remarks>
public static class CaptureReplay
{
    /// <summary>Replays until no timed port has frames left; returns the frames received.</summary>
    public static long Run(ForwardingLoop loop, ManualClock clock)
    {
        long total = 0;
        while (TryNextTimestamp(loop, out long next))
        {
            clock.AdvanceTo(next);
            int received = loop.RunOnce();
            // A pending frame that could not be taken (no free slot) would spin here forever.
            if (received == 0) throw new InvalidOperationException("Replay stalled: a due frame could not be received.");
            total += received;
        }
        return total;
    }

    private static bool TryNextTimestamp(ForwardingLoop loop, out long next)
    {
        next = long.MaxValue;
        bool any = false;
        foreach (AttachedPort p in loop.Ports.All)
        {
            if (p.Port is ITimedSource timed && timed.TryPeekTimestamp(out long t))
            {
                next = Math.Min(next, t);
                any = true;
            }
        }
        return any;
    }
}
