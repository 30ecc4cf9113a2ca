using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Datapath.Pipeline;

// Why the loop publishes its counters instead of being asked for them: a `stats` request (and
// soon a metrics scrape every few seconds) used to run on the loop's thread, building strings
// and calling getsockopt per port while no frame moved. Now the loop copies plain numbers into
// one array every few milliseconds while busy, and once more on its first idle round (so an
// idle switch shows its last counts), behind a sequence lock in the manner of Snabb's shared
// counters and the Linux kernel's seqcount: the writer makes the sequence odd, writes, makes it
// even again; a reader copies and retries if the sequence moved or was odd. A reader never sees
// half a publication, and never makes the loop wait. Names are built only when the set of ports
// or tenants changes; a publication allocates nothing.

/// <summary>The loop's counters as last published: written by the loop, read from any thread.</summary>
public sealed class CounterPublisher
{
    /// <summary>How often a busy loop publishes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    // What the values mean: the ports and tenants they were taken from, and each value's path.
    private sealed record Layout(AttachedPort[] Ports, Tenant[] Tenants, int PortsVersion, TableBinding Binding, string[] Names);

    private Layout? _layout;
    private long[] _values = [];
    private int _sequence;

    /// <summary>Publications so far.</summary>
    public long Publications { get; private set; }

    /// <summary>Every counter as of the last publication, as (path, value) pairs; empty before the first.</summary>
    /// <remarks>Safe from any thread; spins only while the loop is in the middle of a publication
    /// (a copy of a few hundred numbers).</remarks>
    public List<KeyValuePair<string, long>> Read()
    {
        var spin = new SpinWait();
        while (true)
        {
            int before = Volatile.Read(ref _sequence);
            if ((before & 1) == 0)
            {
                Layout? layout = Volatile.Read(ref _layout);
                long[] values = (long[])Volatile.Read(ref _values).Clone();
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _sequence) == before)
                {
                    var list = new List<KeyValuePair<string, long>>(values.Length);
                    if (layout is not null)
                        for (int i = 0; i < layout.Names.Length; i++) list.Add(new(layout.Names[i], values[i]));
                    return list;
                }
            }
            spin.SpinOnce();
        }
    }

    /// <summary>Takes the loop's counters now and publishes them. Loop thread only (or a loop that is not running).</summary>
    internal void Publish(ForwardingLoop loop)
    {
        Layout layout = _layout is { } current && current.PortsVersion == loop.Ports.Version && ReferenceEquals(current.Binding, loop.Peephole.Binding)
            ? current
            : LayoutOf(loop);
        Interlocked.Increment(ref _sequence);
        if (_values.Length != layout.Names.Length) Volatile.Write(ref _values, new long[layout.Names.Length]);
        Fill(loop, layout, _values);
        Volatile.Write(ref _layout, layout);
        Interlocked.Increment(ref _sequence);
        Publications++;
    }

    /// <summary>The counters now, taken on the calling thread: for a loop that is not running (a capture replay, tests).</summary>
    internal static List<KeyValuePair<string, long>> Take(ForwardingLoop loop)
    {
        Layout layout = LayoutOf(loop);
        var values = new long[layout.Names.Length];
        Fill(loop, layout, values);
        var list = new List<KeyValuePair<string, long>>(values.Length);
        for (int i = 0; i < values.Length; i++) list.Add(new(layout.Names[i], values[i]));
        return list;
    }

    private static Layout LayoutOf(ForwardingLoop loop)
    {
        AttachedPort[] ports = [.. loop.Ports.All];
        TableBinding binding = loop.Peephole.Binding;
        Tenant[] tenants = [.. binding.Tenants];
        var names = new List<string>();
        foreach (AttachedPort p in ports)
        {
            PortCounters.AppendNames(PortCounters.Prefix(p.Port.Name), names);
            names.Add(PortCounters.Prefix(p.Port.Name) + "/rx-dropped-before-port");
        }
        PortCounters.AppendNames(PortCounters.Prefix("responder"), names);
        names.AddRange(SwitchCounters.Names);
        PeepholeCounters.AppendNames("peephole/", names);
        foreach (Tenant t in tenants) PeepholeCounters.AppendNames("tenant/" + t.Name + "/peephole/", names);
        names.Add("frames/pool-slots");
        names.Add("frames/pool-available");
        return new Layout(ports, tenants, loop.Ports.Version, binding, [.. names]);
    }

    // The values in the order LayoutOf names them.
    private static void Fill(ForwardingLoop loop, Layout layout, Span<long> values)
    {
        int portValues = PortCounters.ValueCount, peepholeValues = PeepholeCounters.ValueCount;
        // A port's peephole counters are the last of its block: the switch-wide totals sum them.
        int peepholeInPort = portValues - peepholeValues;
        int at = 0;
        foreach (AttachedPort p in layout.Ports)
        {
            p.Counters.CopyTo(values.Slice(at, portValues));
            at += portValues;
            // PACKET_STATISTICS resets when read, so the loop is its only reader.
            values[at++] = p.Port.ReceiveDropsBeforePort;
        }
        loop.ResponderCounters.CopyTo(values.Slice(at, portValues));
        at += portValues;
        loop.Counters.CopyTo(values.Slice(at, SwitchCounters.Names.Length));
        at += SwitchCounters.Names.Length;
        Span<long> totals = values.Slice(at, peepholeValues);
        totals.Clear();
        for (int i = 0; i < layout.Ports.Length; i++)
        {
            ReadOnlySpan<long> port = values.Slice(i * (portValues + 1) + peepholeInPort, peepholeValues);
            for (int k = 0; k < peepholeValues; k++) totals[k] += port[k];
        }
        at += peepholeValues;
        foreach (Tenant t in layout.Tenants)
        {
            t.Counters.CopyTo(values.Slice(at, peepholeValues));
            at += peepholeValues;
        }
        values[at++] = loop.Pool.SlotCount;
        values[at] = loop.Pool.Available;
    }
}
