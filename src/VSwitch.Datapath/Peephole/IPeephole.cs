using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Ports;

namespace VSwitch.Datapath.Peephole;

/// <summary>The stage that may answer a query itself by turning its frame into the reply.</summary>
/// <remarks>
/// Runs after ingress checks and MAC learning, before the L2 lookup. A frame it answers is
/// rewritten into the reply (in place, or in a new slot), its <c>InPort</c> set to
/// <see cref="PortIds.Responder"/> and its <c>Next</c> left <see cref="Next.Continue"/>, so the
/// reply goes through lookup, VLAN rules and transmit like any frame. Frames it does not answer
/// are left exactly as they were. It works in place: a burst neither grows nor shrinks here.
/// </remarks>
public interface IPeephole
{
    void Process(Span<FrameDescriptor> frames, long now);
}

/// <summary>The peephole that answers nothing.</summary>
public sealed class NoPeephole : IPeephole
{
    public static readonly NoPeephole Instance = new();

    public void Process(Span<FrameDescriptor> frames, long now)
    {
    }
}
