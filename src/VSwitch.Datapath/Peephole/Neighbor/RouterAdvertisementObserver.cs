using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Tenancy;
using VSwitch.Datapath.Counters;

namespace VSwitch.Datapath.Peephole.Neighbor;

/// <summary>
/// Watches the Router Advertisements the switch forwards and remembers their routers
/// (<see cref="LearnedRouters"/>); the advertisement itself always goes on unchanged.
/// </summary>
/// <remarks>Only an advertisement a host would accept teaches the switch anything (RFC 4861
/// 6.1.2): a link-local source, hop limit 255, a valid checksum, code 0, at least 16 bytes, and
/// options of non-zero length inside the message. Anything else could be forged from off the link
/// (a hop limit below 255 was routed) and would only stop the switch from answering.</remarks>
public static class RouterAdvertisementObserver
{
    private const int FixedBodyLength = 12;   // hop limit, flags, router lifetime, reachable time, retransmit timer

    /// <returns>The outcome to count, or null when the frame is not a Router Advertisement.</returns>
    public static NdOutcome? Observe(ReadOnlySpan<byte> frame, FrameFlags flags, LearnedRouters routers, ushort vlan, long now)
    {
        if (Ipv6Header.TryRead(frame[EthernetFrame.HeaderLength..], out Ipv6Header ip) != ParseResult.Ok) return null;
        if (ip.NextHeader != IpProtocol.IcmpV6) return null;
        if (Icmpv6Message.TryRead(ip.Payload, out Icmpv6Message icmp) != ParseResult.Ok) return null;
        if (icmp.Type != Icmpv6Message.RouterAdvertisement) return null;

        ReadOnlySpan<byte> source = ip.Source, body = icmp.Body;
        bool linkLocal = source[0] == 0xFE && (source[1] & 0xC0) == 0x80;
        bool checksumOk = (flags & FrameFlags.ChecksumPartial) != 0 || icmp.HasValidChecksum(source, ip.Destination);
        if (!linkLocal || ip.HopLimit != 255 || icmp.Code != 0 || body.Length < FixedBodyLength || !checksumOk ||
            !NeighborResponder.ValidOptions(body[FixedBodyLength..], out _))
            return NdOutcome.RouterIgnored;

        ushort lifetime = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
        routers.Learn(vlan, source, MacAddress.Read(frame[6..]), lifetime, now);
        return NdOutcome.RouterLearned;
    }
}
