using System.Globalization;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Peephole;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Switching;

namespace VSwitch.Datapath.Tracing;

/// <summary>
/// Runs one frame through the real stages in a dry run and says what each decided: the
/// switch's <c>ofproto/trace</c>.
/// </summary>
/// <remarks>
/// The frame is a copy in a slot of its own, so the stages' in-place work (stripping a tag,
/// writing a reply) touches nothing real. Ingress and the peephole are the stages' own code
/// (<see cref="IngressStage.Admit"/>, <see cref="PeepholeStage.Trace"/>); learning, lookup and
/// egress read the MAC table and the ports through their side-effect-free views
/// (<see cref="MacTable.Peek"/>, <see cref="EgressStage.Refusal"/>). Nothing is sent and no state
/// changes: no learning, no aging, no rate-limit token, no counter. Runs on the loop's thread only.
/// </remarks>
public sealed class FrameTracer(FramePool pool, PortTable ports, MacTable macs, IngressStage ingress, PeepholeStage peephole)
{
    /// <summary>The longest frame a trace takes: what a pool slot holds after its headroom.</summary>
    public int MaxFrameLength => pool.SlotSize - FramePool.Headroom;

    public FrameTrace Trace(ushort inPort, ReadOnlySpan<byte> frame, long now, FrameFlags flags = FrameFlags.None)
    {
        var trace = new FrameTrace();
        AttachedPort? port = ports[inPort];
        if (port is null) throw new ArgumentException($"no port {inPort}", nameof(inPort));
        if (frame.Length > MaxFrameLength) throw new ArgumentException($"a frame of {frame.Length} bytes is longer than the {MaxFrameLength} a slot holds", nameof(frame));
        if (!pool.TryRent(out int slot))
        {
            trace.Step("ingress", "no free frame slot: the switch would drop it (no-buffer)");
            Dropped(trace, DropReason.NoBuffer);
            return trace;
        }
        try
        {
            frame.CopyTo(pool.Slot(slot)[FramePool.Headroom..]);
            var d = new FrameDescriptor
            {
                Slot = slot, Offset = FramePool.Headroom, Length = frame.Length, InPort = inPort, Next = Next.Continue, Flags = flags,
            };
            Run(trace, port, ref d, now);
        }
        finally
        {
            pool.Return(slot);
        }
        return trace;
    }

    private void Run(FrameTrace trace, AttachedPort port, ref FrameDescriptor d, long now)
    {
        string mode = port.Config.Vlans.IsTrunk ? "trunk " + port.Config.Vlans : "access VLAN " + port.Config.Vlans.AccessVlan.ToString(CultureInfo.InvariantCulture);
        bool tagged = d.Length >= EthernetFrame.HeaderLength && System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(pool.Frame(d)[12..]) == EtherType.Vlan;
        DropReason refused = ingress.Admit(ref d);
        if (refused != DropReason.None)
        {
            trace.Step("ingress", $"port {port.Port.Name} ({mode}) refuses it: {DropReasons.Name(refused)}");
            Dropped(trace, refused);
            return;
        }
        trace.Step("ingress", $"port {port.Port.Name} ({mode}) admits it in VLAN {d.VlanId}" + (tagged ? ", tag stripped" : ""));

        ulong source = MacAddress.Read(pool.Frame(d)[6..]);
        MacEntryState known = macs.Peek(d.VlanId, source, now, out ushort at);
        trace.Step("learn", $"{MacAddress.Format(source)} on VLAN {d.VlanId}: " + known switch
        {
            MacEntryState.Live when at == d.InPort => $"already at {port.Port.Name}: refreshed",
            MacEntryState.Live => $"moves from {Name(at)} to {port.Port.Name}",
            MacEntryState.Expired => $"aged out: learned afresh at {port.Port.Name}",
            MacEntryState.UnknownTableFull => "new, but the MAC table is full: not learned",
            _ => $"new: learned at {port.Port.Name}",
        });

        // Learning is not done, but the lookup must see it done (a reply finds its asker's port so).
        bool learns = known != MacEntryState.UnknownTableFull;
        ushort learnedVlan = d.VlanId, learnedPort = d.InPort;

        PeepholeTrace p = peephole.Trace(ref d, now);
        bool answered = d.InPort == PortIds.Responder;
        trace.Step("tenant", p.Tenant is null ? $"none: no tables answer for port {port.Port.Name} VLAN {d.VlanId}" : p.Tenant);
        if (p.Tenant is not null) trace.Step("peephole", Describe(p, answered));
        if (p.Outcome.Responder != Candidate.None) trace.PeepholeOutcome = p.Outcome.Name;
        if (answered) trace.Reply = pool.Frame(d).ToArray();

        if (d.Next == Next.Forward)
        {
            trace.Step("lookup", $"DNS service port {Name(d.OutPort)}, whatever the MAC table says");
        }
        else
        {
            ulong destination = MacAddress.Read(pool.Frame(d));
            if (MacAddress.IsMulticast(destination))
            {
                d.Next = Next.Flood;
                trace.Step("lookup", $"{MacAddress.Format(destination)} is a group address: flood VLAN {d.VlanId}");
            }
            else
            {
                ushort to = learnedPort;
                MacEntryState state = learns && destination == source && d.VlanId == learnedVlan
                    ? MacEntryState.Live
                    : macs.Peek(d.VlanId, destination, now, out to);
                if (state != MacEntryState.Live)
                {
                    d.Next = Next.Flood;
                    trace.Step("lookup", $"{MacAddress.Format(destination)} unknown on VLAN {d.VlanId}" + (state == MacEntryState.Expired ? " (aged out)" : "") + ": flood");
                }
                else if (to == d.InPort)
                {
                    trace.Step("lookup", $"{MacAddress.Format(destination)} is at {Name(to)}, where the frame came from: drop (same-port)");
                    Dropped(trace, DropReason.SamePort);
                    return;
                }
                else
                {
                    d.Next = Next.Forward;
                    d.OutPort = to;
                    trace.Step("lookup", $"{MacAddress.Format(destination)} is at {Name(to)}");
                }
            }
        }

        Egress(trace, d);
        if (answered) trace.Verdict = "answered";
    }

    private void Egress(FrameTrace trace, in FrameDescriptor d)
    {
        if (d.Next == Next.Forward)
        {
            DropReason r = Egress(trace, d, d.OutPort);
            trace.Step("egress", r == DropReason.None ? $"forward to {Name(d.OutPort)}" : $"{Name(d.OutPort)} refuses it: {DropReasons.Name(r)}");
            if (r != DropReason.None) Dropped(trace, r);
            else trace.Verdict = "forwarded";
            return;
        }
        int sent = 0;
        foreach (ushort target in ports.FloodList(d.VlanId))
        {
            if (target == d.InPort) continue;
            if (Egress(trace, d, target) == DropReason.None) sent++;
        }
        trace.Step("egress", trace.Egress.Count == 0
            ? $"flood: no other port carries VLAN {d.VlanId}"
            : $"flood to {sent} of {trace.Egress.Count} other port{(trace.Egress.Count == 1 ? "" : "s")} of VLAN {d.VlanId}");
        trace.Verdict = "flooded";
    }

    private DropReason Egress(FrameTrace trace, in FrameDescriptor d, ushort target)
    {
        AttachedPort? port = ports[target];
        DropReason r = EgressStage.Refusal(port, d);
        string action = r != DropReason.None ? "drop: " + DropReasons.Name(r)
            : port!.Config.Vlans.IsTrunk ? "tagged VLAN " + d.VlanId.ToString(CultureInfo.InvariantCulture) : "untagged";
        if (r == DropReason.None && !port!.Port.TakesOffloads)
        {
            if ((d.Flags & FrameFlags.Gso) != 0) action += ", segmented by the switch";
            else if ((d.Flags & FrameFlags.ChecksumPartial) != 0) action += ", checksum completed by the switch";
        }
        trace.Egress.Add(new TraceEgress(Name(target), action));
        return r;
    }

    private static string Describe(PeepholeTrace p, bool answered) => p switch
    {
        { Candidate: Candidate.None } => "not a query it answers: passed on unchanged",
        { Candidate: Candidate.RouterAdvertisement } => "a Router Advertisement: its router would be noted (never answered for); passed on",
        { RateLimited: true } => "over the port's reply rate: left unanswered for a real server",
        { Punted: true } => $"{p.Outcome.Name}: not answered from the tables; sent to the tenant's DNS service",
        _ when p.Outcome.Responder == Candidate.None => $"{Kind(p.Candidate)} the responders do not answer: passed on",
        _ => p.Outcome.Name + (answered ? ": answered; the reply goes back toward the asker" : ": not answered; passed on"),
    };

    private static string Kind(Candidate c) => c switch
    {
        Candidate.Arp => "an ARP packet",
        Candidate.Neighbor => "an ICMPv6 neighbour message",
        Candidate.Dns => "a DNS message",
        Candidate.Dhcp => "a DHCP message",
        _ => "a frame",
    };

    private static void Dropped(FrameTrace trace, DropReason reason)
    {
        trace.Verdict = "dropped";
        trace.DropReason = DropReasons.Name(reason);
    }

    private string Name(ushort port) => port == PortIds.Responder ? "responder" : ports[port]?.Port.Name ?? $"#{port}";
}
