using VSwitch.Datapath.Counters;

namespace VSwitch.Datapath.Peephole;

/// <summary>What a responder said about one candidate: which responder, and its outcome (an
/// <see cref="ArpOutcome"/>, <see cref="NdOutcome"/>, <see cref="DnsOutcome"/> or <see cref="DhcpOutcome"/>).</summary>
/// <remarks><see cref="Candidate.None"/> when the responder had nothing to say (not its kind of frame after all).</remarks>
public readonly record struct PeepholeOutcome(Candidate Responder, byte Value)
{
    /// <summary>The outcome as its counter path reads (<c>arp/replied</c>, <c>dns/no-such-name</c>).</summary>
    public string Name => Responder switch
    {
        Candidate.Arp => "arp/" + ArpOutcomes.Name((ArpOutcome)Value),
        Candidate.Neighbor => "nd/" + NdOutcomes.Name((NdOutcome)Value),
        Candidate.Dns => "dns/" + DnsOutcomes.Name((DnsOutcome)Value),
        Candidate.Dhcp => "dhcp/" + DhcpOutcomes.Name((DhcpOutcome)Value),
        _ => "none",
    };

    /// <summary>Adds one to the outcome's counter in <paramref name="counters"/>.</summary>
    public void CountIn(PeepholeCounters counters)
    {
        switch (Responder)
        {
            case Candidate.Arp: counters.Arp[Value]++; break;
            case Candidate.Neighbor: counters.Nd[Value]++; break;
            case Candidate.Dns: counters.Dns[Value]++; break;
            case Candidate.Dhcp: counters.Dhcp[Value]++; break;
        }
    }
}
