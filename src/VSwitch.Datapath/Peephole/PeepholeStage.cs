using System.Runtime.CompilerServices;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Peephole.Arp;
using VSwitch.Datapath.Peephole.Dhcp;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Peephole.Neighbor;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Tenancy;
using VSwitch.Datapath.Ports;

namespace VSwitch.Datapath.Peephole;

/// <summary>
/// The peephole: spots ARP requests, neighbour solicitations, DNS queries and DHCP requests that
/// the table bound to the frame's VLAN can answer, and turns each into its reply in place. It also
/// watches Router Advertisements, whose routers it must leave to answer for themselves.
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

    /// <summary>The per-port bound on replies (<see cref="RateLimiter"/>), or null for none. Set before the loop runs.</summary>
    public RateLimiter? Limiter { get; set; }

    public void Process(Span<FrameDescriptor> frames, long now)
    {
        TableBinding binding = Volatile.Read(ref _binding);
        RateLimiter? limiter = Limiter;
        for (int i = 0; i < frames.Length; i++)
        {
            ref FrameDescriptor d = ref frames[i];
            if (d.Next != Next.Continue || d.InPort == PortIds.Responder) continue;
            // The one per-tenant reference: tables, counters and limiter all come from here.
            Tenant? tenant = binding.Resolve(d.InPort, d.VlanId);
            if (tenant is null) continue;
            Span<byte> buffer = pool.Slot(d.Slot)[d.Offset..];
            Candidate candidate = PeepholeClassifier.Classify(buffer[..d.Length]);
            if (candidate == Candidate.None) continue;
            if (candidate == Candidate.RouterAdvertisement)
            {
                // Learned whatever the reply rate: it is not a reply, and a missed one would make the switch answer for a router.
                Observe(ref d, buffer, tenant, now);
                continue;
            }
            RateLimiter? bucket = tenant.Limiter ?? limiter;
            if (bucket is not null && !bucket.HasToken(d.InPort, now))
            {
                // Over the port's reply rate: left for a real server, unanswered and unread.
                ports[d.InPort]!.Counters.Peephole.RateLimited++;
                tenant.Counters.RateLimited++;
            }
            else
            {
                int reply = Answer(ref d, buffer, candidate, tenant, tenant.Declines, now, default(Counting));
                if (reply > 0)
                {
                    bucket?.Take(d.InPort, now);
                    BecomeReply(ref d, reply);
                    continue;
                }
            }
            if (candidate == Candidate.Dns && tenant.DnsPort >= 0) PuntToDnsService(ref d, buffer, tenant);
        }
    }

    /// <summary>A dry run of <see cref="Process"/> for one frame: the frame becomes what the peephole
    /// would make of it (its reply, written in its own slot, or its punt), and nothing else changes:
    /// no counter, no rate-limit token, no declined lease, no router learned.</summary>
    public PeepholeTrace Trace(ref FrameDescriptor d, long now)
    {
        if (d.Next != Next.Continue || d.InPort == PortIds.Responder) return new PeepholeTrace(null, Candidate.None, false, default, false);
        Tenant? tenant = Binding.Resolve(d.InPort, d.VlanId);
        if (tenant is null) return new PeepholeTrace(null, Candidate.None, false, default, false);
        Span<byte> buffer = pool.Slot(d.Slot)[d.Offset..];
        Candidate candidate = PeepholeClassifier.Classify(buffer[..d.Length]);
        if (candidate is Candidate.None or Candidate.RouterAdvertisement) return new PeepholeTrace(tenant.Name, candidate, false, default, false);
        RateLimiter? bucket = tenant.Limiter ?? Limiter;
        if (bucket is not null && !bucket.WouldHaveToken(d.InPort, now)) return new PeepholeTrace(tenant.Name, candidate, true, default, false);
        DeclinedLeases declines = candidate == Candidate.Dhcp ? tenant.Declines.Copy() : tenant.Declines;
        var recorded = new Recording();
        int reply = Answer(ref d, buffer, candidate, tenant, declines, now, recorded);
        PeepholeOutcome outcome = recorded.Outcome;
        if (reply > 0)
        {
            BecomeReply(ref d, reply);
            return new PeepholeTrace(tenant.Name, candidate, false, outcome, false);
        }
        bool punted = false;
        if (candidate == Candidate.Dns && tenant.DnsPort >= 0)
        {
            PuntToDnsService(ref d, buffer, tenant);
            punted = d.Next == Next.Forward;
        }
        return new PeepholeTrace(tenant.Name, candidate, false, outcome, punted);
    }

    private static void BecomeReply(ref FrameDescriptor d, int length)
    {
        d.Length = length;
        d.InPort = PortIds.Responder;
        // The reply is written whole, checksums included: nothing is left for a NIC to finish.
        d.Flags = FrameFlags.None;
    }

    // DNS to the tenant's DNS address that the tables did not answer (a miss, a big answer's TCP
    // retry) goes to the tenant's DNS service port, whatever the MAC table says; DNS to any other
    // address goes on as before.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PuntToDnsService(ref FrameDescriptor d, Span<byte> buffer, Tenant tenant)
    {
        const int L3 = EthernetFrame.HeaderLength;
        ushort etherType = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(buffer[12..]);
        ReadOnlySpan<byte> destination = etherType == EtherType.IPv4 && d.Length >= L3 + 20 ? buffer.Slice(L3 + 16, 4)
            : etherType == EtherType.IPv6 && d.Length >= L3 + 40 ? buffer.Slice(L3 + 24, 16) : default;
        int port = tenant.DnsPort;
        if (port < 0 || destination.IsEmpty || !tenant.Tables.IsDnsAddress(destination)) return;
        d.Next = Next.Forward;
        d.OutPort = (ushort)port;
    }

    // The responders: reached only by candidates, so kept out of the loop above. What each says goes
    // to the sink: the forwarding path's (a struct, so this method is compiled for it with the
    // counting inline, as if written here) counts it; a trace's records it and counts nothing.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Answer<TSink>(ref FrameDescriptor d, Span<byte> buffer, Candidate candidate, Tenant tenant, DeclinedLeases declines, long now, TSink sink)
        where TSink : IOutcomeSink
    {
        AttachedPort port = ports[d.InPort]!;
        PeepholeCounters counters = port.Counters.Peephole, own = tenant.Counters;
        PeepholeTables tables = tenant.Tables;
        int reply;
        switch (candidate)
        {
            case Candidate.Arp:
                if (ArpResponder.TryAnswer(buffer, d.Length, tables, out reply) is ArpOutcome arp) sink.Said(counters, own, Candidate.Arp, (byte)arp);
                break;
            case Candidate.Dhcp:
                if (DhcpResponder.TryAnswer(buffer, d.Length, d.Flags, port.Config.Mtu, d.VlanId, tables, declines, now, out reply) is DhcpOutcome dhcp)
                    sink.Said(counters, own, Candidate.Dhcp, (byte)dhcp);
                break;
            case Candidate.Neighbor:
                if (NeighborResponder.TryAnswer(buffer, d.Length, d.Flags, tables, tenant.Routers, d.VlanId, now, out reply) is NdOutcome nd)
                {
                    sink.Said(counters, own, Candidate.Neighbor, (byte)nd);
                    break;
                }
                // Behind a hop-by-hop header there may be a DNS query rather than a solicitation.
                goto default;
            default:
                if (DnsResponder.TryAnswer(buffer, d.Length, d.Flags, port.Config.Mtu, tables, out reply) is DnsOutcome dns)
                    sink.Said(counters, own, Candidate.Dns, (byte)dns);
                break;
        }
        return reply;
    }

    private interface IOutcomeSink
    {
        void Said(PeepholeCounters port, PeepholeCounters tenant, Candidate responder, byte outcome);
    }

    // The forwarding path: the outcome counted on the ingress port and the tenant.
    private readonly struct Counting : IOutcomeSink
    {
        public void Said(PeepholeCounters port, PeepholeCounters tenant, Candidate responder, byte outcome)
        {
            var said = new PeepholeOutcome(responder, outcome);
            said.CountIn(port);
            said.CountIn(tenant);
        }
    }

    // A trace: the outcome kept, nothing counted.
    private sealed class Recording : IOutcomeSink
    {
        public PeepholeOutcome Outcome { get; private set; }

        public void Said(PeepholeCounters port, PeepholeCounters tenant, Candidate responder, byte outcome) => Outcome = new(responder, outcome);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Observe(ref FrameDescriptor d, Span<byte> buffer, Tenant tenant, long now)
    {
        if (RouterAdvertisementObserver.Observe(buffer[..d.Length], d.Flags, tenant.Routers, d.VlanId, now) is NdOutcome nd)
        {
            ports[d.InPort]!.Counters.Peephole.Nd[(int)nd]++;
            tenant.Counters.Nd[(int)nd]++;
        }
    }
}

/// <summary>What the peephole would do with one frame (<see cref="PeepholeStage.Trace"/>).</summary>
/// <param name="Tenant">The tenant whose tables answer for the frame's port and VLAN, or null for none.</param>
/// <param name="Candidate">What the classifier took the frame for.</param>
/// <param name="RateLimited">Over the port's reply rate: left unanswered.</param>
/// <param name="Outcome">What the responder said (its counter), when it was asked.</param>
/// <param name="Punted">A DNS query to the tenant's DNS address the tables did not answer, sent to its DNS service.</param>
public sealed record PeepholeTrace(string? Tenant, Candidate Candidate, bool RateLimited, PeepholeOutcome Outcome, bool Punted);
