using VSwitch.Daemon.Ports;
using VSwitch.Daemon.Storage;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Peephole.Arp;
using VSwitch.Datapath.Peephole.Dhcp;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Peephole.Neighbor;

namespace VSwitch.Daemon.Tenancy;

/// <summary>One tenant as the daemon reports it: binding, tables and the replies written for it.</summary>
/// <param name="Name">The tenant's name (<c>default</c> for the keys outside the sections).</param>
/// <param name="Vlans">Its VLANs, runs folded (<c>10,20-29</c>); empty when it is bound by ports only.</param>
/// <param name="Ports">The names of the ports bound to it, attached or not.</param>
/// <param name="HostsFile">Its hosts file, or null for none.</param>
/// <param name="EthersFile">Its ethers file, or null for none.</param>
/// <param name="HostsEntries">Lines holding an entry in the hosts table in service; null until its tables first loaded.</param>
/// <param name="EthersEntries">The same for the ethers table.</param>
/// <param name="ArpReplied">ARP replies written for it.</param>
/// <param name="NdReplied">Neighbour advertisements written for it (duplicate-address answers included).</param>
/// <param name="DnsReplied">DNS replies written for it: answers, NXDOMAIN, NODATA and BADVERS.</param>
/// <param name="DhcpReplied">DHCP replies written for it: offers, ACKs, NAKs and INFORM answers.</param>
/// <param name="RateLimited">Its queries forwarded unanswered because the port was over its reply rate.</param>
/// <param name="Hosts">The hosts file's state: in service or not, lines, bad lines, last error, when; null without one.</param>
/// <param name="Ethers">The ethers file's state; null without one.</param>
public sealed record TenantInfo(string Name, string Vlans, IReadOnlyList<string> Ports, string? HostsFile, string? EthersFile,
    int? HostsEntries, int? EthersEntries, long ArpReplied, long NdReplied, long DnsReplied, long DhcpReplied, long RateLimited,
    TableState? Hosts, TableState? Ethers)
{
    /// <summary>The reply counters of <see cref="Of"/>, copied on the loop's thread (their only writer).</summary>
    internal static long[] Replies(PeepholeCounters c) =>
    [
        c.Arp[(int)ArpOutcome.Replied],
        c.Nd[(int)NdOutcome.Replied] + c.Nd[(int)NdOutcome.RepliedDad],
        Enumerable.Range(0, c.Dns.Length).Where(i => DnsOutcomes.IsReply((DnsOutcome)i)).Sum(i => c.Dns[i]),
        Enumerable.Range(0, c.Dhcp.Length).Where(i => DhcpOutcomes.IsReply((DhcpOutcome)i)).Sum(i => c.Dhcp[i]),
        c.RateLimited,
    ];

    internal static TenantInfo Of(DaemonTenant t, long[] replies)
    {
        (int Hosts, int Ethers)? counts = t.Store.EntryCounts;
        return new TenantInfo(t.Name, PortManager.FormatVlanList(t.Vlans), t.Ports, t.Store.HostsPath, t.Store.EthersPath,
            counts?.Hosts, counts?.Ethers, replies[0], replies[1], replies[2], replies[3], replies[4], t.Store.HostsState, t.Store.EthersState);
    }
}
