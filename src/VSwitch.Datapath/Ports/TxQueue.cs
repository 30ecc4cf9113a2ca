using VSwitch.Datapath.Buffers;

namespace VSwitch.Datapath.Ports;

/// <summary>Frames waiting to leave by one port until the loop flushes them as one burst.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a transmit queue, the word every switch uses.")]
public sealed class TxQueue
{
    private readonly FrameDescriptor[] _items = new FrameDescriptor[Burst.MaxSize * 2];

    public int Count { get; private set; }

    public bool IsFull => Count == _items.Length;

    public void Add(in FrameDescriptor frame) => _items[Count++] = frame;

    public ReadOnlySpan<FrameDescriptor> Items => _items.AsSpan(0, Count);

    public void Clear() => Count = 0;
}
