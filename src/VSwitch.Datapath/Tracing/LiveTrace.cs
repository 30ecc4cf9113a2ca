using System.Collections.Concurrent;

namespace VSwitch.Datapath.Tracing;

/// <summary>Traces the next <c>count</c> real frames from one port as they pass (<c>trace --live N</c>).</summary>
/// <remarks>Set on the loop (<see cref="Pipeline.ForwardingLoop.Live"/>); the loop traces each frame from
/// the port on a copy just before its burst runs, then notes what the switch really did with it, and
/// clears itself after the last. Traces are read off the loop's thread from <see cref="Traces"/>.</remarks>
public sealed class LiveTrace(ushort port, int count)
{
    private int _remaining = count;

    public ushort Port => port;

    public ConcurrentQueue<FrameTrace> Traces { get; } = new();

    /// <summary>Every asked-for frame has been traced.</summary>
    public bool Done => Volatile.Read(ref _remaining) <= 0;

    /// <summary>How many more frames to trace. Loop's thread only.</summary>
    internal int Remaining => _remaining;

    internal void Traced(int n) => Volatile.Write(ref _remaining, _remaining - n);
}
