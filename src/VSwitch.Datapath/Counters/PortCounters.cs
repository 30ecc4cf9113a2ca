using VSwitch.Datapath.Buffers;
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

    /// <summary>How many values <see cref="CopyTo"/> writes.</summary>
    public static int ValueCount => 4 + DropReasons.Count - 1 + PeepholeCounters.ValueCount;

    /// <summary>Writes every value, in the order of <see cref="AppendNames"/>; no allocation.</summary>
    public void CopyTo(Span<long> values)
    {
        values[0] = RxPackets;
        values[1] = RxBytes;
        values[2] = TxPackets;
        values[3] = TxBytes;
        Drops.AsSpan(1).CopyTo(values[4..]);
        Peephole.CopyTo(values[(4 + Drops.Length - 1)..]);
    }

    /// <summary>Every counter's path (<c>PREFIX/rx-packets</c>, ...), in the order of <see cref="CopyTo"/>.</summary>
    public static void AppendNames(string prefix, List<string> names)
    {
        names.Add(prefix + "/rx-packets");
        names.Add(prefix + "/rx-bytes");
        names.Add(prefix + "/tx-packets");
        names.Add(prefix + "/tx-bytes");
        for (int i = 1; i < DropReasons.Count; i++) names.Add(prefix + "/drop/" + DropReasons.Name((DropReason)i));
        PeepholeCounters.AppendNames(prefix + "/peephole/", names);
    }

    /// <summary>Appends this port's counters as <c>port/NAME/...</c> paths.</summary>
    public void AppendTo(string portName, List<KeyValuePair<string, long>> into)
    {
        var names = new List<string>(ValueCount);
        AppendNames(Prefix(portName), names);
        Span<long> values = stackalloc long[ValueCount];
        CopyTo(values);
        for (int i = 0; i < names.Count; i++) into.Add(new(names[i], values[i]));
    }

    /// <summary>The path prefix of a port's counters: <c>port/NAME</c>.</summary>
    public static string Prefix(string portName) => "port/" + portName;
}
