using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Ports;

namespace VSwitch.Benchmarks;

/// <summary>A port that "receives" copies of its template frames, in turn, and discards what it is sent.</summary>
/// <remarks>Receiving copies the template into a pool slot, as a NIC's DMA would fill it, so the
/// measured cost includes touching the frame's memory but no system call.</remarks>
public sealed class SyntheticPort(string name, FramePool pool, params byte[][] templates) : IPort
{
    private int _next;

    public string Name { get; } = name;
    public bool IsUp => true;

    /// <summary>Frames the next <see cref="Receive"/> calls will hand out.</summary>
    public int Pending { get; set; }

    public long Transmitted { get; private set; }

    public int Receive(Span<FrameDescriptor> burst)
    {
        int n = 0;
        while (n < burst.Length && Pending > 0 && pool.TryRent(out int slot))
        {
            byte[] template = templates[_next];
            _next = _next + 1 == templates.Length ? 0 : _next + 1;
            template.CopyTo(pool.Slot(slot)[FramePool.Headroom..]);
            burst[n++] = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = template.Length };
            Pending--;
        }
        return n;
    }

    public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
    {
        foreach (ref readonly FrameDescriptor d in burst) pool.Return(d.Slot);
        Transmitted += burst.Length;
        return burst.Length;
    }

    public void Dispose() { }
}
