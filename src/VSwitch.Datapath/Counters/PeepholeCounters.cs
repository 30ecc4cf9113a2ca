// Counters are public fields on purpose: the loop increments them per frame, and a property adds nothing but a call.
#pragma warning disable CA1051
using VSwitch.Datapath.Peephole.Arp;
using VSwitch.Datapath.Peephole.Dhcp;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Peephole.Neighbor;

namespace VSwitch.Datapath.Counters;

/// <summary>Peephole outcomes by responder: kept per port, per tenant, and summed for the switch.</summary>
/// <remarks>Written only by the forwarding loop, like every datapath counter.</remarks>
public sealed class PeepholeCounters
{
    public readonly long[] Arp = new long[ArpOutcomes.Count];
    public readonly long[] Nd = new long[NdOutcomes.Count];
    public readonly long[] Dns = new long[DnsOutcomes.Count];
    public readonly long[] Dhcp = new long[DhcpOutcomes.Count];

    /// <summary>Candidates not shown to any responder because the port was over its reply rate.</summary>
    public long RateLimited;

    /// <summary>Appends every counter under <paramref name="prefix"/> (<c>arp/replied</c>, ...).</summary>
    public void AppendTo(string prefix, List<KeyValuePair<string, long>> into)
    {
        for (int i = 0; i < Arp.Length; i++) into.Add(new(prefix + "arp/" + ArpOutcomes.Name((ArpOutcome)i), Arp[i]));
        for (int i = 0; i < Nd.Length; i++) into.Add(new(prefix + "nd/" + NdOutcomes.Name((NdOutcome)i), Nd[i]));
        for (int i = 0; i < Dns.Length; i++) into.Add(new(prefix + "dns/" + DnsOutcomes.Name((DnsOutcome)i), Dns[i]));
        for (int i = 0; i < Dhcp.Length; i++) into.Add(new(prefix + "dhcp/" + DhcpOutcomes.Name((DhcpOutcome)i), Dhcp[i]));
        into.Add(new(prefix + "rate-limited", RateLimited));
    }

    /// <summary>Adds <paramref name="other"/>'s counts to these (for switch-wide totals).</summary>
    public void Add(PeepholeCounters other)
    {
        for (int i = 0; i < Arp.Length; i++) Arp[i] += other.Arp[i];
        for (int i = 0; i < Nd.Length; i++) Nd[i] += other.Nd[i];
        for (int i = 0; i < Dns.Length; i++) Dns[i] += other.Dns[i];
        for (int i = 0; i < Dhcp.Length; i++) Dhcp[i] += other.Dhcp[i];
        RateLimited += other.RateLimited;
    }
}
