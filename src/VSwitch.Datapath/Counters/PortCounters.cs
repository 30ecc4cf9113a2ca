// Counters are public fields on purpose: the loop increments them per frame, and a property adds nothing but a call.
#pragma warning disable CA1051
using VSwitch.Datapath.Peephole.Arp;
using VSwitch.Datapath.Peephole.Dhcp;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Peephole.Neighbor;

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

    /// <summary>Peephole outcomes for queries that came in by this port, by responder.</summary>
    public readonly long[] Arp = new long[ArpOutcomes.Count];
    public readonly long[] Nd = new long[NdOutcomes.Count];
    public readonly long[] Dns = new long[DnsOutcomes.Count];
    public readonly long[] Dhcp = new long[DhcpOutcomes.Count];

    /// <summary>Candidates not shown to any responder because the port was over its reply rate (<see cref="Peephole.RateLimiter"/>).</summary>
    public long RateLimited;

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
        AppendPeephole(prefix + "peephole/", into);
    }

    /// <summary>Appends the peephole counters under <paramref name="prefix"/> (<c>arp/replied</c>, ...).</summary>
    public void AppendPeephole(string prefix, List<KeyValuePair<string, long>> into)
    {
        for (int i = 0; i < Arp.Length; i++) into.Add(new(prefix + "arp/" + ArpOutcomes.Name((ArpOutcome)i), Arp[i]));
        for (int i = 0; i < Nd.Length; i++) into.Add(new(prefix + "nd/" + NdOutcomes.Name((NdOutcome)i), Nd[i]));
        for (int i = 0; i < Dns.Length; i++) into.Add(new(prefix + "dns/" + DnsOutcomes.Name((DnsOutcome)i), Dns[i]));
        for (int i = 0; i < Dhcp.Length; i++) into.Add(new(prefix + "dhcp/" + DhcpOutcomes.Name((DhcpOutcome)i), Dhcp[i]));
        into.Add(new(prefix + "rate-limited", RateLimited));
    }

    /// <summary>Adds another port's peephole counters to these (for switch-wide totals).</summary>
    public void AddPeephole(PortCounters other)
    {
        for (int i = 0; i < Arp.Length; i++) Arp[i] += other.Arp[i];
        for (int i = 0; i < Nd.Length; i++) Nd[i] += other.Nd[i];
        for (int i = 0; i < Dns.Length; i++) Dns[i] += other.Dns[i];
        for (int i = 0; i < Dhcp.Length; i++) Dhcp[i] += other.Dhcp[i];
        RateLimited += other.RateLimited;
    }
}
