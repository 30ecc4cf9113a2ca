using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Offload;
using VSwitch.Datapath.Ports;

namespace VSwitch.Datapath.Switching;

/// <summary>
/// The last stage: drops what was marked for dropping, and queues every other frame on its
/// egress port (or ports, when flooding), tagged or untagged as that port wants.
/// </summary>
/// <remarks>
/// A flooded frame is copied once per extra egress port; the original slot goes to the last
/// one, so a frame with a single egress costs no copy. Copies are made from the untagged
/// original before it is tagged for its own port. Queues are flushed as one burst per port by
/// <see cref="Flush"/>, once per received burst.
/// </remarks>
public sealed class EgressStage(FramePool pool, PortTable ports)
{
    private readonly PortCounters _responderCounters = new();
    private readonly ushort[] _dirty = new ushort[PortIds.MaxPorts];
    private readonly bool[] _isDirty = new bool[PortIds.MaxPorts];
    private int _dirtyCount;
    private readonly FrameDescriptor[] _segments = new FrameDescriptor[64];

    /// <summary>Counters of the responder pseudo-port (frames it injected that were then dropped).</summary>
    public PortCounters ResponderCounters => _responderCounters;

    public void Process(ReadOnlySpan<FrameDescriptor> frames)
    {
        foreach (ref readonly FrameDescriptor d in frames)
        {
            switch (d.Next)
            {
                case Next.Forward:
                    Enqueue(d, d.OutPort);
                    break;
                case Next.Flood:
                    Flood(d);
                    break;
                default:
                    CountersOf(d.InPort).Drops[(int)d.DropReason]++;
                    pool.Return(d.Slot);
                    break;
            }
        }
    }

    /// <summary>Hands every non-empty queue to its port as one burst and counts the outcome.</summary>
    public void Flush()
    {
        for (int i = 0; i < _dirtyCount; i++)
        {
            ushort id = _dirty[i];
            _isDirty[id] = false;
            if (ports[id] is { } port) FlushPort(port);
        }
        _dirtyCount = 0;
    }

    private void Flood(FrameDescriptor original)
    {
        ReadOnlySpan<ushort> targets = ports.FloodList(original.VlanId);
        int last = -1;
        for (int i = targets.Length - 1; i >= 0; i--)
        {
            if (targets[i] != original.InPort)
            {
                last = i;
                break;
            }
        }
        if (last < 0)
        {
            // Nobody else is in the VLAN: the frame has nowhere to go, which is not an error.
            pool.Return(original.Slot);
            return;
        }
        for (int i = 0; i < last; i++)
        {
            ushort target = targets[i];
            if (target == original.InPort) continue;
            if (!pool.TryRent(out int slot))
            {
                ports[target]!.Counters.Drops[(int)DropReason.NoBuffer]++;
                continue;
            }
            FrameDescriptor copy = original;
            copy.Slot = slot;
            copy.Offset = FramePool.Headroom;
            pool.Frame(original).CopyTo(pool.Slot(slot)[FramePool.Headroom..]);
            pool.Offload(slot) = pool.Offload(original.Slot);
            Enqueue(copy, target);
        }
        Enqueue(original, targets[last]);
    }

    private void Enqueue(FrameDescriptor d, ushort egress)
    {
        AttachedPort? port = ports[egress];
        if ((d.Flags & (FrameFlags.ChecksumPartial | FrameFlags.Gso)) != 0 && port is not null && !port.Port.TakesOffloads)
        {
            FinishOffloads(d, egress, port);
            return;
        }
        DropReason reason = Refusal(port, d);
        if (reason != DropReason.None)
        {
            (port?.Counters ?? _responderCounters).Drops[(int)reason]++;
            pool.Return(d.Slot);
            return;
        }
        if (port!.Config.Vlans.IsTrunk) VlanTagging.Push(pool, ref d, d.Tci);
        if (port.Tx.IsFull) FlushPort(port);
        port.Tx.Add(d);
        if (!_isDirty[egress])
        {
            _isDirty[egress] = true;
            _dirty[_dirtyCount++] = egress;
        }
    }

    /// <summary>Why <paramref name="port"/> would not take <paramref name="d"/> (after any segmenting), or
    /// <see cref="DropReason.None"/>; when it would, whether it goes tagged. Changes nothing: for a trace too.</summary>
    public static DropReason Refusal(AttachedPort? port, in FrameDescriptor d) =>
        port is null || !port.Port.IsUp ? DropReason.PortDown
            : !port.Config.Vlans.Carries(d.VlanId) ? DropReason.VlanNotAllowed
            : d.Length - 14 > port.Config.Mtu && (d.Flags & FrameFlags.Gso) == 0 ? DropReason.OverMtu
            : DropReason.None;

    // The port cannot take what the kernel left undone: cut super-frames into segments and
    // finish partial checksums here, then queue the result like any frame.
    private void FinishOffloads(FrameDescriptor d, ushort egress, AttachedPort port)
    {
        if ((d.Flags & FrameFlags.Gso) != 0)
        {
            int n = GsoSegmenter.Segment(pool, d, _segments);
            pool.Return(d.Slot);
            if (n < 0)
            {
                port.Counters.Drops[(int)DropReason.NoBuffer]++;
                return;
            }
            for (int i = 0; i < n; i++) Enqueue(_segments[i], egress);
            return;
        }
        if (!ChecksumOffload.Complete(pool.Frame(d), pool.Offload(d.Slot)))
        {
            port.Counters.Drops[(int)DropReason.Malformed]++;
            pool.Return(d.Slot);
            return;
        }
        d.Flags &= ~FrameFlags.ChecksumPartial;
        Enqueue(d, egress);
    }

    private void FlushPort(AttachedPort port)
    {
        ReadOnlySpan<FrameDescriptor> queued = port.Tx.Items;
        if (queued.IsEmpty) return;
        if (port.Capture is { } capture) capture.Transmitting(pool, queued);
        long bytes = 0;
        int sent = port.Port.Transmit(queued);
        for (int i = 0; i < sent; i++) bytes += queued[i].Length;
        port.Counters.TxPackets += sent;
        port.Counters.TxBytes += bytes;
        port.Counters.Drops[(int)DropReason.TxError] += queued.Length - sent;
        port.Tx.Clear();
    }

    private PortCounters CountersOf(ushort port) => ports[port]?.Counters ?? _responderCounters;
}
