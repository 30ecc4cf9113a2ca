// Counters are public fields on purpose: the loop increments them per frame, and a property adds nothing but a call.
#pragma warning disable CA1051

namespace VSwitch.Datapath.Counters;

/// <summary>Traffic counters of one port, written only by the forwarding loop.</summary>
/// <remarks>Plain fields, not interlocked: there is one writer, and a reader on another thread
/// may see a value a few frames old, which is all a counter promises. 64-bit loads and stores
/// are atomic on the platforms we run on, so no value is ever torn.</remarks>
public sealed class PortCounters
{
    public long RxPackets;
    public long RxBytes;
    public long TxPackets;
    public long TxBytes;
    public readonly long[] Drops = new long[DropReasons.Count];

    /// <summary>Peephole outcomes for queries that came in by this port.</summary>
    public readonly PeepholeCounters Peephole = new();

    public long TotalDrops
    {
        get
        {
            long sum = 0;
            foreach (long d in Drops) sum += d;
            return sum;
        }
    }

    /// <summary>Appends this port's counters as <c>port/NAME/...</c> paths.</summary>
    public void AppendTo(string portName, List<KeyValuePair<string, long>> into)
    {
        string prefix = "port/" + portName + "/";
        into.Add(new(prefix + "rx-packets", RxPackets));
        into.Add(new(prefix + "rx-bytes", RxBytes));
        into.Add(new(prefix + "tx-packets", TxPackets));
        into.Add(new(prefix + "tx-bytes", TxBytes));
        for (int i = 1; i < Drops.Length; i++)
            into.Add(new(prefix + "drop/" + DropReasons.Name((DropReason)i), Drops[i]));
        Peephole.AppendTo(prefix + "peephole/", into);
    }
}
