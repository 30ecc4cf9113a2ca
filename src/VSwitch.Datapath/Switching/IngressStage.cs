using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Ports;

namespace VSwitch.Datapath.Switching;

/// <summary>
/// The first stage: checks each received frame at L2 and puts it in its VLAN, untagged.
/// </summary>
/// <remarks>
/// Drops, each with its reason: runts (under 14 bytes), headers that lie (a tag cut short, an
/// 802.3 length beyond the frame), group source MACs, frames the port's VLAN mode refuses, and
/// payloads over the port's MTU. A frame that passes leaves with its tag stripped and its VLAN in
/// the descriptor, so later stages never look for a tag. The switch does not look above L2
/// here: an IP packet with a bad header is still a valid Ethernet frame to forward.
/// </remarks>
public sealed class IngressStage(FramePool pool, PortTable ports)
{
    public void Process(Span<FrameDescriptor> frames)
    {
        for (int i = 0; i < frames.Length; i++)
        {
            ref FrameDescriptor d = ref frames[i];
            DropReason reason = Admit(ref d);
            if (reason != DropReason.None) d.Drop(reason);
        }
    }

    /// <summary>Checks one frame and, if it passes, strips its tag into <see cref="FrameDescriptor.Tci"/>;
    /// returns why not otherwise. Touches nothing but the frame: a trace runs it on a copy.</summary>
    public DropReason Admit(ref FrameDescriptor d)
    {
        if (d.Length < EthernetFrame.HeaderLength) return DropReason.Runt;
        AttachedPort port = ports[d.InPort]!;
        ReadOnlySpan<byte> frame = pool.Frame(d);
        if (MacAddress.IsMulticast(MacAddress.Read(frame[6..]))) return DropReason.MulticastSource;

        bool tagged = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == EtherType.Vlan;
        int header = EthernetFrame.HeaderLength;
        ushort tci;
        if (tagged)
        {
            if (d.Length < EthernetFrame.TaggedHeaderLength) return DropReason.Malformed;
            header = EthernetFrame.TaggedHeaderLength;
            ushort wireTci = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
            ushort vid = (ushort)(wireTci & 0x0FFF);
            if (port.Config.Vlans.IsTrunk)
            {
                // VLAN 0 is a priority tag: the frame is untagged as far as membership goes.
                if (vid == 0) return DropReason.UntaggedOnTrunk;
                if (!port.Config.Vlans.Carries(vid)) return DropReason.VlanNotAllowed;
                tci = wireTci;
            }
            else
            {
                if (vid != 0) return DropReason.TaggedOnAccess;
                tci = (ushort)((wireTci & 0xF000) | port.Config.Vlans.AccessVlan);
            }
        }
        else
        {
            if (port.Config.Vlans.IsTrunk) return DropReason.UntaggedOnTrunk;
            tci = port.Config.Vlans.AccessVlan;
        }

        ushort typeOrLength = BinaryPrimitives.ReadUInt16BigEndian(frame[(header - 2)..]);
        int payload = d.Length - header;
        if (typeOrLength < EtherType.MinimumEtherType && typeOrLength > payload) return DropReason.Malformed;
        // A segmentation-offload super-frame is over the MTU by design; its segments will not be.
        if (payload > port.Config.Mtu && (d.Flags & FrameFlags.Gso) == 0) return DropReason.OverMtu;

        if (tagged) VlanTagging.Strip(pool, ref d);
        d.Tci = tci;
        return DropReason.None;
    }
}
