namespace VSwitch.Datapath.Tracing;

/// <summary>What the pipeline would do with one frame, stage by stage (<see cref="FrameTracer"/>).</summary>
public sealed class FrameTrace
{
    /// <summary>Each stage's decision, in pipeline order.</summary>
    public List<TraceStep> Steps { get; } = [];

    /// <summary>Where the frame (or the reply it became) would leave, and how; empty when dropped before egress.</summary>
    public List<TraceEgress> Egress { get; } = [];

    /// <summary><c>answered</c>, <c>forwarded</c>, <c>flooded</c> or <c>dropped</c>.</summary>
    public string Verdict { get; set; } = "";

    /// <summary>The drop reason's counter name (<c>tagged-on-access</c>), when <see cref="Verdict"/> is <c>dropped</c>.</summary>
    public string? DropReason { get; set; }

    /// <summary>The peephole's outcome counter (<c>arp/replied</c>), when the peephole looked at the frame.</summary>
    public string? PeepholeOutcome { get; set; }

    /// <summary>The reply the peephole would write, as sent (before any tag), when it answers.</summary>
    public byte[]? Reply { get; set; }

    /// <summary>A live trace only: what the switch then did with the real frame (<c>answered</c>, <c>forwarded to PORT</c>,
    /// <c>flooded</c>, <c>dropped: REASON</c>; egress refusals are not seen here).</summary>
    public string? Actual { get; set; }

    /// <summary>The traced frame as it came in (a live trace, where the caller did not give it).</summary>
    public byte[]? Frame { get; set; }

    internal void Step(string stage, string decision) => Steps.Add(new TraceStep(stage, decision));
}

/// <param name="Stage"><c>ingress</c>, <c>learn</c>, <c>tenant</c>, <c>peephole</c>, <c>lookup</c> or <c>egress</c>.</param>
/// <param name="Decision">What the stage decided, in words.</param>
public sealed record TraceStep(string Stage, string Decision);

/// <param name="Port">The egress port's name.</param>
/// <param name="Action"><c>untagged</c>, <c>tagged VLAN 10</c>, or <c>drop: REASON</c>; with what the switch finishes for the port.</param>
public sealed record TraceEgress(string Port, string Action);
