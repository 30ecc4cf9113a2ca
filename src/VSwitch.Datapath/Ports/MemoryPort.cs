using VSwitch.Datapath.Buffers;

namespace VSwitch.Datapath.Ports;

/// <summary>A port backed by in-memory queues: unit tests put frames in and read what left.</summary>
/// <remarks>Allocates per frame (it copies frames to and from managed arrays); it serves tests
/// and tools, never traffic.</remarks>
public sealed class MemoryPort(string name, FramePool pool) : IPort
{
    private readonly Queue<byte[]> _inbound = new();

    public string Name { get; } = name;

    public bool IsUp { get; set; } = true;

    /// <summary>Every frame the switch sent out of this port, in order.</summary>
    public List<byte[]> Sent { get; } = [];

    /// <summary>Queues a frame to be received by the switch at its next poll.</summary>
    public void Enqueue(ReadOnlySpan<byte> frame) => _inbound.Enqueue(frame.ToArray());

    public int Pending => _inbound.Count;

    public int Receive(Span<FrameDescriptor> burst)
    {
        if (!IsUp) return 0;
        int n = 0;
        while (n < burst.Length && _inbound.Count > 0 && pool.TryRent(out int slot))
        {
            byte[] frame = _inbound.Dequeue();
            int length = Math.Min(frame.Length, pool.FrameCapacity);
            frame.AsSpan(0, length).CopyTo(pool.Slot(slot)[FramePool.Headroom..]);
            burst[n++] = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = length };
        }
        return n;
    }

    public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
    {
        foreach (ref readonly FrameDescriptor d in burst)
        {
            if (IsUp) Sent.Add(pool.Frame(d).ToArray());
            pool.Return(d.Slot);
        }
        return IsUp ? burst.Length : 0;
    }

    public void Dispose() { }
}
