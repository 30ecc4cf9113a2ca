using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Peephole.Arp;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Peephole.Neighbor;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Tables;

namespace VSwitch.Datapath.Peephole;

/// <summary>
/// The peephole: spots ARP requests, neighbour solicitations and DNS queries that the table
/// bound to the frame's VLAN can answer, and turns each into its reply in place.
/// </summary>
/// <remarks>
/// <para>Classification costs ordinary traffic one EtherType test and, for IP, a protocol and
/// port test: everything that is not a candidate leaves untouched after a few branches. A
/// candidate goes to its responder, which answers or says why not; the outcome is counted on
/// the ingress port. An answered frame becomes the reply, marked as coming from
/// <see cref="PortIds.Responder"/>, and continues down the pipeline to lookup and egress.</para>
/// <para>The table binding is read once per burst, so a swap takes effect between bursts and a
/// burst is answered from one consistent snapshot.</para>
/// </remarks>
public sealed class PeepholeStage(FramePool pool, PortTable ports) : IPeephole
{
    private TableBinding _binding = TableBinding.None;

    /// <summary>The tables answering for each VLAN. Set from any thread; the loop picks it up at its next burst.</summary>
    public TableBinding Binding
    {
        get => Volatile.Read(ref _binding);
        set => Volatile.Write(ref _binding, value);
    }

    public int Process(Span<FrameDescriptor> frames, int count, long now)
    {
        TableBinding binding = Volatile.Read(ref _binding);
        for (int i = 0; i < count; i++)
        {
            ref FrameDescriptor d = ref frames[i];
            if (d.Next != Next.Continue || d.InPort == PortIds.Responder) continue;
            PeepholeTables? tables = binding[d.VlanId];
            if (tables is null) continue;
            Span<byte> buffer = pool.Slot(d.Slot)[d.Offset..];
            ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(buffer[12..]);
            int reply = etherType switch
            {
                EtherType.Arp => AnswerArp(ref d, buffer, tables),
                EtherType.IPv4 or EtherType.IPv6 => AnswerIp(ref d, buffer, etherType, tables),
                _ => 0,
            };
            if (reply > 0)
            {
                d.Length = reply;
                d.InPort = PortIds.Responder;
            }
        }
        return count;
    }

    private int AnswerArp(ref FrameDescriptor d, Span<byte> buffer, PeepholeTables tables)
    {
        ArpOutcome? outcome = ArpResponder.TryAnswer(buffer, d.Length, tables, out int reply);
        if (outcome is ArpOutcome o) ports[d.InPort]!.Counters.Arp[(int)o]++;
        return reply;
    }

    private int AnswerIp(ref FrameDescriptor d, Span<byte> buffer, ushort etherType, PeepholeTables tables)
    {
        PortCounters counters = ports[d.InPort]!.Counters;
        if (etherType == EtherType.IPv6 && IsIcmpv6(buffer, d.Length))
        {
            NdOutcome? nd = NeighborResponder.TryAnswer(buffer, d.Length, d.Flags, tables, out int ndReply);
            if (nd is NdOutcome n)
            {
                counters.Nd[(int)n]++;
                return ndReply;
            }
            // Not a solicitation. A hop-by-hop header may hide UDP as well as ICMPv6, so the
            // DNS responder still gets its look.
        }
        DnsOutcome? dns = DnsResponder.TryAnswer(buffer, d.Length, d.Flags, ports[d.InPort]!.Config.Mtu, tables, out int reply);
        if (dns is DnsOutcome o) counters.Dns[(int)o]++;
        return reply;
    }

    // A cheap look at the next-header byte before handing the frame to the ND responder: ICMPv6,
    // or a hop-by-hop header that may be followed by ICMPv6 (or by anything else).
    private static bool IsIcmpv6(ReadOnlySpan<byte> buffer, int length) =>
        length > EthernetFrame.HeaderLength + 6 && buffer[EthernetFrame.HeaderLength + 6] is IpProtocol.IcmpV6 or IpProtocol.HopByHop;
}
