// Counters are public fields on purpose: the loop increments them per frame, and a property adds nothing but a call.
#pragma warning disable CA1051

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

    /// <summary>How many values <see cref="CopyTo"/> writes.</summary>
    public static int ValueCount => ArpOutcomes.Count + NdOutcomes.Count + DnsOutcomes.Count + DhcpOutcomes.Count + 1;

    /// <summary>Writes every value, in the order of <see cref="AppendNames"/>; no allocation (the loop publishes with it).</summary>
    public void CopyTo(Span<long> values)
    {
        Arp.CopyTo(values);
        Nd.CopyTo(values[Arp.Length..]);
        Dns.CopyTo(values[(Arp.Length + Nd.Length)..]);
        Dhcp.CopyTo(values[(Arp.Length + Nd.Length + Dns.Length)..]);
        values[ValueCount - 1] = RateLimited;
    }

    /// <summary>Every counter's path under <paramref name="prefix"/> (<c>arp/replied</c>, ...), in the order of <see cref="CopyTo"/>.</summary>
    public static void AppendNames(string prefix, List<string> names)
    {
        for (int i = 0; i < ArpOutcomes.Count; i++) names.Add(prefix + "arp/" + ArpOutcomes.Name((ArpOutcome)i));
        for (int i = 0; i < NdOutcomes.Count; i++) names.Add(prefix + "nd/" + NdOutcomes.Name((NdOutcome)i));
        for (int i = 0; i < DnsOutcomes.Count; i++) names.Add(prefix + "dns/" + DnsOutcomes.Name((DnsOutcome)i));
        for (int i = 0; i < DhcpOutcomes.Count; i++) names.Add(prefix + "dhcp/" + DhcpOutcomes.Name((DhcpOutcome)i));
        names.Add(prefix + "rate-limited");
    }

    /// <summary>Appends every counter under <paramref name="prefix"/> (<c>arp/replied</c>, ...).</summary>
    public void AppendTo(string prefix, List<KeyValuePair<string, long>> into)
    {
        var names = new List<string>(ValueCount);
        AppendNames(prefix, names);
        Span<long> values = stackalloc long[ValueCount];
        CopyTo(values);
        for (int i = 0; i < names.Count; i++) into.Add(new(names[i], values[i]));
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
