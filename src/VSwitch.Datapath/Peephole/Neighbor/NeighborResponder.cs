using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Tenancy;
using VSwitch.Datapath.Counters;

namespace VSwitch.Datapath.Peephole.Neighbor;

/// <summary>
/// Answers IPv6 neighbour solicitations (RFC 4861) for targets in the neighbour table with a
/// neighbour advertisement carrying the target link-layer address.
/// </summary>
/// <remarks>
/// <para>Only solicitations that pass the receiver's validation (RFC 4861 7.1.1) are answered:
/// hop limit 255, valid checksum, code 0, at least 24 bytes, a unicast target, options of
/// non-zero length inside the message, and for a DAD probe (unspecified source) a
/// solicited-node multicast destination and no source link-layer option.</para>
/// <para>A solicitation from an address gets S=1, O=1 to the asker. A DAD probe from another MAC
/// gets S=0, O=1 to all-nodes (RFC 4861 7.2.4), which tells the prober the address is in use. A
/// solicitation from the target's own MAC is never answered.</para>
/// <para>Never answered either: a solicitation from a multicast or loopback source, and one for a
/// router learned from its Router Advertisements (<see cref="LearnedRouters"/>). Every advertisement
/// written here has R=0, and a host that hears R=0 from its default router drops it (RFC 4861
/// 7.2.5), so the router answers for itself.</para>
/// </remarks>
public static class NeighborResponder
{
    private const int NaLength = 32;   // type, code, checksum, flags+reserved, target, one 8-byte option
    public const int ReplyLength = EthernetFrame.HeaderLength + Ipv6Header.HeaderLength + NaLength;
    private const ulong AllNodesMac = 0x3333_0000_0001UL;
    private const byte SourceLinkLayerOption = 1, TargetLinkLayerOption = 2;

    /// <summary>Answers the IPv6 frame in <paramref name="buffer"/> if it is a solicitation the table can answer.</summary>
    /// <returns>The outcome to count, or null when the frame is not a neighbour solicitation.</returns>
    public static NdOutcome? TryAnswer(Span<byte> buffer, int length, FrameFlags flags, PeepholeTables tables, LearnedRouters routers,
        ushort vlan, long now, out int replyLength)
    {
        replyLength = 0;
        if (Ipv6Header.TryRead(buffer[EthernetFrame.HeaderLength..length], out Ipv6Header ip) != ParseResult.Ok) return null;
        if (ip.NextHeader != IpProtocol.IcmpV6) return null;
        if (Icmpv6Message.TryRead(ip.Payload, out Icmpv6Message icmp) != ParseResult.Ok) return null;
        if (icmp.Type != Icmpv6Message.NeighborSolicitation) return null;

        ReadOnlySpan<byte> body = icmp.Body;
        bool checksumOk = (flags & FrameFlags.ChecksumPartial) != 0 || icmp.HasValidChecksum(ip.Source, ip.Destination);
        if (ip.HopLimit != 255 || icmp.Code != 0 || body.Length < 20 || !checksumOk) return NdOutcome.Malformed;
        ReadOnlySpan<byte> target = body.Slice(4, 16);
        if (target[0] == 0xFF) return NdOutcome.Malformed;
        bool dad = ip.Source.IndexOfAnyExcept((byte)0) < 0;
        if (ip.Source[0] == 0xFF || IsLoopback(ip.Source)) return NdOutcome.MartianSource;
        if (!ValidOptions(body[20..], out bool hasSourceLinkLayer)) return NdOutcome.Malformed;
        if (dad && (hasSourceLinkLayer || !IsSolicitedNodeMulticast(ip.Destination))) return NdOutcome.Malformed;

        if (!tables.TryGetNeighbor(target, out ulong owner)) return NdOutcome.NotInTable;
        ulong asker = MacAddress.Read(buffer[6..]);
        if (owner == asker) return NdOutcome.OwnAddress;
        if (routers.IsRouter(vlan, target, owner, now)) return NdOutcome.Router;

        // Keep what the reply needs before the buffer is overwritten.
        Span<byte> addresses = stackalloc byte[32];
        target.CopyTo(addresses);
        if (dad)
        {
            addresses[16] = 0xFF;
            addresses[17] = 0x02;
            addresses[18..31].Clear();
            addresses[31] = 1;
        }
        else
        {
            ip.Source.CopyTo(addresses[16..]);
        }

        EthernetWriter.TryCreate(buffer, out EthernetWriter ethernet);
        ethernet.WriteHeader(dad ? AllNodesMac : asker, owner, EtherType.IPv6);
        Span<byte> packet = buffer.Slice(EthernetFrame.HeaderLength, Ipv6Header.HeaderLength + NaLength);
        Ipv6HeaderWriter.TryCreate(packet, out Ipv6HeaderWriter ipWriter);
        ipWriter.WriteHeader(IpProtocol.IcmpV6, addresses[..16], addresses[16..], hopLimit: 255);
        Span<byte> na = packet[Ipv6Header.HeaderLength..];
        Icmpv6Writer.TryCreate(na, out Icmpv6Writer icmpWriter);
        icmpWriter.WriteHeader(Icmpv6Message.NeighborAdvertisement, 0);
        na[4] = dad ? (byte)0x20 : (byte)0x60;   // R=0; S only when solicited by a unicast asker; O=1
        na[5..8].Clear();
        addresses[..16].CopyTo(na[8..]);
        na[24] = TargetLinkLayerOption;
        na[25] = 1;
        MacAddress.Write(na[26..], owner);
        icmpWriter.WriteChecksum(addresses[..16], addresses[16..]);
        replyLength = ReplyLength;
        return dad ? NdOutcome.RepliedDad : NdOutcome.Replied;
    }

    /// <summary>Walks ND options (RFC 4861 4.6): each has a non-zero length in 8-byte units, inside the message.</summary>
    internal static bool ValidOptions(ReadOnlySpan<byte> options, out bool hasSourceLinkLayer)
    {
        hasSourceLinkLayer = false;
        int i = 0;
        while (i < options.Length)
        {
            if (i + 2 > options.Length || options[i + 1] == 0) return false;
            int len = options[i + 1] * 8;
            if (i + len > options.Length) return false;
            if (options[i] == SourceLinkLayerOption) hasSourceLinkLayer = true;
            i += len;
        }
        return true;
    }

    private static bool IsLoopback(ReadOnlySpan<byte> a) => a[15] == 1 && a[..15].IndexOfAnyExcept((byte)0) < 0;

    // ff02::1:ffXX:XXXX (RFC 4291 2.7.1).
    private static bool IsSolicitedNodeMulticast(ReadOnlySpan<byte> a) =>
        a[0] == 0xFF && a[1] == 0x02 && a[2..11].IndexOfAnyExcept((byte)0) < 0 && a[11] == 1 && a[12] == 0xFF;
}
