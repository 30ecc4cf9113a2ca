using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Counters;

namespace VSwitch.Datapath.Peephole.Dns;

/// <summary>
/// Answers DNS queries over UDP port 53 (IPv4 or IPv6) from the names table, writing the reply
/// over the query in its own buffer.
/// </summary>
/// <remarks>
/// <para>Checks, in order, each counted when it fails: the packet is whole (not a fragment,
/// lengths and checksums right; a checksum the port marks as not yet computed counts as valid);
/// the query is one the table answers (<see cref="DnsAnswerPlan"/>); the reply fits the
/// client's limit (512 bytes, or its EDNS0 size) and the ingress port's MTU. Only then is the
/// query overwritten.</para>
/// <para>The reply keeps the query's header and question bytes (so the question is echoed
/// exactly, case included) and comes from the address and MAC the query was sent to, with the
/// UDP ports swapped. IPv4 options and an IPv6 hop-by-hop header are not carried into the
/// reply; the DNS message moves back to sit right after a plain header.</para>
/// <para>EDNS0: a query with an OPT gets one back with our payload size and its DO bit; a query
/// with an EDNS version above 0 gets BADVERS (RFC 6891 6.1.3) rather than being forwarded, as
/// a server that does not know that version would answer.</para>
/// </remarks>
public static class DnsResponder
{
    public const ushort Port = 53;

    /// <returns>The outcome to count, or null when the frame is not a DNS query to port 53.</returns>
    public static DnsOutcome? TryAnswer(Span<byte> buffer, int length, FrameFlags flags, int mtu, PeepholeTables tables, out int replyLength)
    {
        replyLength = 0;
        ReadOnlySpan<byte> l3 = buffer[EthernetFrame.HeaderLength..length];
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(buffer[12..]);
        bool checksumPartial = (flags & FrameFlags.ChecksumPartial) != 0;
        bool v4 = etherType == EtherType.IPv4;
        UdpOverIp packetIn;
        if (v4)
        {
            if (Ipv4Header.TryRead(l3, out Ipv4Header ip) != ParseResult.Ok) return null;
            if (ip.FragmentOffset != 0) return null;  // no transport header to tell what it is
            if (ip.Protocol == IpProtocol.Tcp) return IsPort53(ip.Payload) ? DnsOutcome.Tcp : null;
            if (ip.Protocol != IpProtocol.Udp || !IsPort53(ip.Payload)) return null;
            if (ip.MoreFragments) return DnsOutcome.Fragment;
            if (!UdpOverIp.TryRead(ip, checksumPartial, out packetIn)) return DnsOutcome.Malformed;
            if (ip.Destination == 0xFFFF_FFFF || (ip.Destination >> 28) == 0xE) return DnsOutcome.Malformed;
        }
        else
        {
            if (Ipv6Header.TryRead(l3, out Ipv6Header ip) != ParseResult.Ok) return null;
            if (ip.NextHeader == IpProtocol.Tcp) return IsPort53(ip.Payload) ? DnsOutcome.Tcp : null;
            if (ip.NextHeader == Ipv6Fragment) return IsFirstFragmentToPort53(ip.Payload) ? DnsOutcome.Fragment : null;
            if (ip.NextHeader != IpProtocol.Udp || !IsPort53(ip.Payload)) return null;
            if (ip.Destination[0] == 0xFF) return DnsOutcome.Malformed;
            if (!UdpOverIp.TryRead(ip, checksumPartial, out packetIn)) return DnsOutcome.Malformed;
        }
        UdpDatagram udp = packetIn.Udp;
        uint src4 = packetIn.Source4, dst4 = packetIn.Destination4;
        if (MacAddress.IsMulticast(MacAddress.Read(buffer))) return DnsOutcome.Malformed;
        if (v4 ? IsMartianSource(src4) : IsMartianSource(packetIn.Source6)) return DnsOutcome.MartianSource;

        DnsOutcome? refused = DnsQuery.TryRead(udp.Payload, out DnsQuery query);
        if (refused is not null) return refused;
        DnsAnswerPlan plan = DnsAnswerPlan.For(query, tables);
        if (!DnsOutcomes.IsReply(plan.Outcome)) return plan.Outcome;
        bool badVersion = plan.Outcome == DnsOutcome.BadVersion;

        // The client's limit, the port's MTU and the slot bound the reply.
        int newIpHeader = v4 ? Ipv4Header.MinimumHeaderLength : Ipv6Header.HeaderLength;
        int dnsOffset = v4 ? UdpReplyWriter.IPv4PayloadOffset : UdpReplyWriter.IPv6PayloadOffset;
        int limit = Math.Min(DnsAnswerPlan.UdpLimit(query), Math.Min(mtu - newIpHeader - UdpDatagram.HeaderLength, buffer.Length - dnsOffset));
        int dnsLength = plan.ReplyLength(query, limit, out bool truncated);
        if (dnsLength < 0) return DnsOutcome.TooBig;

        // Everything the reply needs from the query's headers, before they are overwritten.
        ulong askerMac = MacAddress.Read(buffer[6..]), serverMac = MacAddress.Read(buffer);
        ushort askerPort = udp.SourcePort;
        Span<byte> v6Addresses = stackalloc byte[32];
        if (!v4)
        {
            packetIn.Destination6.CopyTo(v6Addresses);       // reply source: the address the query went to
            packetIn.Source6.CopyTo(v6Addresses[16..]);      // reply destination: the asker
        }
        ushort queryFlags = query.Flags;
        bool hasOpt = query.HasOpt, dnssecOk = hasOpt && query.DnssecOk;
        int questionEnd = query.QuestionEnd;

        int oldDnsOffset = EthernetFrame.HeaderLength + packetIn.IpHeaderLength + UdpDatagram.HeaderLength;
        if (oldDnsOffset != dnsOffset) buffer.Slice(oldDnsOffset, questionEnd).CopyTo(buffer[dnsOffset..]);
        Span<byte> message = buffer.Slice(dnsOffset, dnsLength);
        WriteMessage(message, questionEnd, queryFlags, plan, tables.Settings, hasOpt, dnssecOk, badVersion, truncated);

        // The limit above kept the reply inside the buffer, so the headers fit; checked all the same.
        bool written = v4
            ? UdpReplyWriter.TryWriteIPv4(buffer, askerMac, serverMac, dst4, src4, Port, askerPort, dnsLength, out replyLength)
            : UdpReplyWriter.TryWriteIPv6(buffer, askerMac, serverMac, v6Addresses[..16], v6Addresses[16..], Port, askerPort, dnsLength, out replyLength);
        if (!written)
        {
            replyLength = 0;
            return DnsOutcome.TooBig;
        }
        return truncated ? DnsOutcome.Truncated : plan.Outcome;
    }

    private const byte Ipv6Fragment = 44;

    internal static void WriteMessage(Span<byte> message, int questionEnd, ushort queryFlags, in DnsAnswerPlan plan,
        DnsSettings settings, bool hasOpt, bool dnssecOk, bool badVersion, bool truncated)
    {
        var writer = new DnsReplyWriter(message, questionEnd);
        int opt = hasOpt ? 1 : 0;
        if (truncated)
        {
            writer.WriteHeader(queryFlags, settings.RecursionAvailable, plan.Rcode, 0, 0, opt, truncated: true);
        }
        else
        {
            writer.WriteHeader(queryFlags, settings.RecursionAvailable, plan.Rcode, plan.AnswerCount, plan.AuthoritySoa ? 1 : 0, plan.GlueCount + opt);
            WriteRecords(ref writer, plan, settings);
        }
        // BADVERS is 16: its upper eight bits (1) go in the OPT's extended RCODE.
        if (hasOpt) writer.WriteOpt(settings.UdpPayloadSize, badVersion ? (byte)1 : (byte)0, dnssecOk);
    }

    private static void WriteRecords(ref DnsReplyWriter writer, in DnsAnswerPlan plan, DnsSettings settings)
    {
        const int Question = DnsQuery.HeaderLength;
        switch (plan.AnswerType)
        {
            case DnsQuery.TypeA or DnsQuery.TypeAaaa or DnsQuery.TypeAny:
                WriteAddresses(ref writer, Question, settings.Ttl, new NameRecord(plan.Record),
                    v4: plan.AnswerType != DnsQuery.TypeAaaa, v6: plan.AnswerType != DnsQuery.TypeA);
                break;
            case DnsQuery.TypePtr:
                writer.WritePtr(Question, settings.Ttl, plan.Target);
                break;
            case DnsQuery.TypeSoa:
                writer.WriteSoa(Question + plan.ApexOffset, settings.Ttl, settings.SoaSerial);
                break;
            case DnsQuery.TypeNs:
                int target = writer.WriteNs(Question, settings.Ttl, plan.Target);
                if (!plan.Glue.IsEmpty) WriteAddresses(ref writer, target, settings.Ttl, new NameRecord(plan.Glue), v4: true, v6: true);
                break;
        }
        if (plan.AuthoritySoa) writer.WriteSoa(Question + plan.ApexOffset, settings.Ttl, settings.SoaSerial);
    }

    private static void WriteAddresses(ref DnsReplyWriter writer, int owner, uint ttl, NameRecord record, bool v4, bool v6)
    {
        if (v4)
        {
            for (int i = 0; i < record.IPv4Count; i++) writer.WriteA(owner, ttl, record.IPv4(i));
        }
        if (v6)
        {
            for (int i = 0; i < record.IPv6Count; i++) writer.WriteAaaa(owner, ttl, record.IPv6(i));
        }
    }

    // RFC 1122 3.2.1.3: a host silently discards a datagram from 0/8's "this host", 255.255.255.255,
    // a class D (multicast) or a loopback source; a real server never answers one, so neither do we.
    private static bool IsMartianSource(uint source) =>
        source == 0 || source == 0xFFFF_FFFF || (source >> 28) == 0xE || (source >> 24) == 127;

    // IPv6: a multicast source is invalid (RFC 4291 2.7), :: never sends a query, ::1 never leaves its host.
    private static bool IsMartianSource(ReadOnlySpan<byte> source) =>
        source[0] == 0xFF || (source[..15].IndexOfAnyExcept((byte)0) < 0 && source[15] <= 1);

    private static bool IsPort53(ReadOnlySpan<byte> transport) =>
        transport.Length >= 4 && BinaryPrimitives.ReadUInt16BigEndian(transport[2..]) == Port;

    // A fragment header (8 bytes) at offset 0 of the fragmented packet, carrying UDP to port 53.
    private static bool IsFirstFragmentToPort53(ReadOnlySpan<byte> fragment) =>
        fragment.Length >= 12 && fragment[0] == IpProtocol.Udp &&
        (BinaryPrimitives.ReadUInt16BigEndian(fragment[2..]) & 0xFFF8) == 0 && IsPort53(fragment[8..]);
}
