using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Ports;

namespace VSwitch.Datapath.Switching;

/// <summary>MAC learning and destination lookup, as two separate passes over a burst.</summary>
/// <remarks>
/// Learning runs before the peephole and lookup after it (VPP's l2-learn, arp-term, l2-fwd
/// order): the asker's address is learned from its query before the query may become a reply,
/// and the reply's lookup then finds the asker's port. Frames from the responder pseudo-port are
/// never learned. Lookup keeps a one-entry cache, since a burst is often a run of frames to one
/// destination.
/// </remarks>
public sealed class L2Stage(FramePool pool, MacTable table)
{
    public void Learn(ReadOnlySpan<FrameDescriptor> frames, long now)
    {
        foreach (ref readonly FrameDescriptor d in frames)
        {
            if (d.Next != Next.Continue || d.InPort == PortIds.Responder) continue;
            ulong source = MacAddress.Read(pool.Frame(d)[6..]);
            table.Learn(d.VlanId, source, d.InPort, now);
        }
    }

    public void Lookup(Span<FrameDescriptor> frames, long now)
    {
        ulong cachedMac = ulong.MaxValue;
        int cachedVlan = -1;
        ushort cachedPort = 0;
        bool cachedFound = false;
        for (int i = 0; i < frames.Length; i++)
        {
            ref FrameDescriptor d = ref frames[i];
            if (d.Next != Next.Continue) continue;
            ulong destination = MacAddress.Read(pool.Frame(d));
            if (MacAddress.IsMulticast(destination))
            {
                d.Next = Next.Flood;
                continue;
            }
            if (destination != cachedMac || d.VlanId != cachedVlan)
            {
                cachedFound = table.TryLookup(d.VlanId, destination, now, out cachedPort);
                cachedMac = destination;
                cachedVlan = d.VlanId;
            }
            if (!cachedFound)
            {
                d.Next = Next.Flood;
            }
            else if (cachedPort == d.InPort)
            {
                d.Drop(DropReason.SamePort);
            }
            else
            {
                d.Next = Next.Forward;
                d.OutPort = cachedPort;
            }
        }
    }
}
