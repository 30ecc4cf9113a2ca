using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Makaretu.Dns;
using PacketDotNet;
using PacketDotNet.Ndp;
using VSwitch.Tests.Frames;
using VSwitch.Tests.Scenarios;
using ArpPacket = PacketDotNet.ArpPacket;

namespace VSwitch.Tests.CrossCheck;

/// <summary>
/// Judges a frame the switch wrote against the frame it answered, with parsers we did not write:
/// PacketDotNet for Ethernet, ARP, IP, UDP and ICMPv6 (checksums included) and Makaretu.Dns for
/// DNS, and the tables as <see cref="TableModel"/> reads them.
/// </summary>
/// <remarks>
/// <para>Every check is an assertion; a reply that passes is a well-formed answer to exactly the
/// question asked, with the records the tables hold for it.</para>
/// <para>Two of Makaretu.Dns's habits are stricter than DNS, so a message is adjusted before it
/// goes to it, and what was adjusted is checked by this class instead. It refuses label bytes
/// above 0x7F, which DNS allows (RFC 2181 11): such bytes in the question name become 0x7F, a
/// byte no table name holds, and the question is compared byte for byte here. It validates the
/// contents of EDNS options it knows, which a server must ignore in a UDP query (RFC 7828
/// 3.3.1): every option code in the OPT record becomes 65001 (local use, RFC 6891 9), so that
/// it checks only that the options fill the record exactly.</para>
/// <para>PacketDotNet reads the payload of a few UDP ports (L2TP, Teredo, VXLAN and others) as
/// packets of those protocols and then cannot checksum the datagram; for a reply to an asker
/// on such a port the UDP checksum is checked by <see cref="Wire"/>.</para>
/// </remarks>
internal static class ReplyOracle
{
    private static readonly PhysicalAddress AllNodesMac = PhysicalAddress.Parse("33-33-00-00-00-01");

    /// <summary>What the reply answered, for the caller's tally.</summary>
    public enum Kind { Dns, Arp, Nd }

    /// <summary>Asserts that <paramref name="reply"/> is the switch's correct answer to <paramref name="query"/>.</summary>
    /// <param name="mtu">The MTU of the port the reply leaves by, which bounds a DNS reply.</param>
    public static Kind AssertAnswers(byte[] query, byte[] reply, TableModel tables, int mtu = 1500)
    {
        (byte[] q, int? queryVlan) = Untag(query);
        (byte[] r, int? replyVlan) = Untag(reply);
        // A reply leaves by the port the query came in on, in the query's VLAN: tagged back if the
        // query was tagged with a VLAN, untagged if it was untagged or priority-tagged.
        Assert.Equal(queryVlan is null or 0 ? null : queryVlan, replyVlan);

        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(q.AsSpan(12));
        if (etherType == 0x0806)
        {
            AssertArp(q, r, tables);
            return Kind.Arp;
        }
        if (Wire.TryFindIcmpv6(q, out _, out int icmp) && q[icmp] == 135)
        {
            AssertNeighborAdvertisement(q, icmp, r, tables);
            return Kind.Nd;
        }
        AssertDns(q, r, tables, mtu);
        return Kind.Dns;
    }

    /// <summary>Decodes a DNS message with Makaretu.Dns and checks that it used every byte.</summary>
    public static Message DecodeDns(byte[] dns)
    {
        var message = new Message();
        using var stream = new MemoryStream(AdjustForMakaretu(dns));
        message.Read(stream);
        Assert.True(stream.Position == stream.Length, $"Makaretu.Dns read {stream.Position} of {stream.Length} bytes");
        return message;
    }

    /// <summary>Decodes a frame from UDP port 53 with PacketDotNet, checking the IP and UDP checksums; returns the DNS message bytes.</summary>
    public static byte[] DecodeUdp53(byte[] untagged, out EthernetPacket ethernet, out IPPacket ip, out UdpPacket udp)
    {
        ethernet = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, untagged));
        ip = ethernet.Extract<IPPacket>() ?? throw new InvalidDataException("no IP packet");
        udp = ethernet.Extract<UdpPacket>() ?? throw new InvalidDataException("no UDP datagram");
        if (ip is IPv4Packet v4)
        {
            Assert.True(v4.ValidIPChecksum, "IPv4 header checksum");
            Assert.Equal(v4.TotalLength, untagged.Length - 14);
        }
        else
        {
            Assert.Equal(((IPv6Packet)ip).PayloadLength, untagged.Length - 14 - 40);
        }
        if (udp.PayloadPacket is null)
            Assert.True(udp.ValidUdpChecksum, "UDP checksum");
        else
            Assert.True(Wire.HasValidUdpChecksum(untagged), $"UDP checksum (checked by Wire: PacketDotNet reads the payload as {udp.PayloadPacket.GetType().Name})");
        Assert.True(Wire.TryFindUdp(untagged, out _, out int at, out int length));
        Assert.Equal(udp.Length, length);
        return untagged.AsSpan(at + 8, length - 8).ToArray();
    }

    private static void AssertDns(byte[] query, byte[] reply, TableModel tables, int mtu)
    {
        Assert.True(Wire.TryFindUdp(query, out int l3, out int udpAt, out int udpLength), "the answered frame holds no UDP datagram");
        byte[] asked = query.AsSpan(udpAt + 8, udpLength - 8).ToArray();
        Assert.Equal(53, BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(udpAt + 2)));

        byte[] dns = DecodeUdp53(reply, out EthernetPacket ethernet, out IPPacket ip, out UdpPacket udp);
        Assert.Equal(query.AsSpan(6, 6).ToArray(), ethernet.DestinationHardwareAddress.GetAddressBytes());
        Assert.Equal(query.AsSpan(0, 6).ToArray(), ethernet.SourceHardwareAddress.GetAddressBytes());
        bool v4 = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(12)) == 0x0800;
        int addressLength = v4 ? 4 : 16;
        int sourceAt = l3 + (v4 ? 12 : 8);
        Assert.Equal(query.AsSpan(sourceAt + addressLength, addressLength).ToArray(), ip.SourceAddress.GetAddressBytes());
        Assert.Equal(query.AsSpan(sourceAt, addressLength).ToArray(), ip.DestinationAddress.GetAddressBytes());
        Assert.False(IsMartian(query.AsSpan(sourceAt, addressLength)), "answered a query from a source no server answers (RFC 1122 3.2.1.3)");
        Assert.Equal(53, udp.SourcePort);
        Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(udpAt)), udp.DestinationPort);

        // The question as asked, read independently: the switch may only answer a well-formed query.
        // Makaretu.Dns joins the OPT TTL's top byte (the extended RCODE) to the opcode, so the
        // header's four opcode bits are read here.
        Assert.Equal(0, (asked[2] >> 3) & 0xF);
        Assert.Equal(0, (dns[2] >> 3) & 0xF);
        Message q = DecodeDns(asked);
        Assert.False(q.QR);
        Assert.False(q.TC);
        Assert.Single(q.Questions);
        Assert.Empty(q.Answers);
        Assert.Empty(q.AuthorityRecords);
        OPTRecord? queryOpt = q.AdditionalRecords.Count == 0 ? null : Assert.IsType<OPTRecord>(Assert.Single(q.AdditionalRecords));
        if (queryOpt is not null) Assert.Empty(queryOpt.Name.Labels);
        Assert.Equal(DnsClass.IN, q.Questions[0].Class);
        int questionEnd = QuestionEnd(asked);

        Message m = DecodeDns(dns);
        Assert.Equal(q.Id, m.Id);
        Assert.True(m.QR, "QR");
        Assert.True(m.AA, "AA");
        Assert.Equal(q.RD, m.RD);
        Assert.False(m.RA, "RA");
        Assert.Equal(0, m.Z);
        Assert.False(m.AD, "AD");
        Assert.Equal(q.CD, m.CD);
        Assert.Single(m.Questions);
        Assert.Equal(q.Questions[0].Type, m.Questions[0].Type);
        Assert.Equal(q.Questions[0].Class, m.Questions[0].Class);
        // The question is echoed exactly, case and all.
        Assert.Equal(asked.AsSpan(12, questionEnd - 12).ToArray(), dns.AsSpan(12, questionEnd - 12).ToArray());

        ResourceRecord[] glue = m.AdditionalRecords.Where(r => r is not OPTRecord).ToArray();
        if (queryOpt is null)
        {
            Assert.Empty(m.AdditionalRecords.OfType<OPTRecord>());
        }
        else
        {
            // The OPT comes last, after any glue.
            OPTRecord opt = Assert.IsType<OPTRecord>(m.AdditionalRecords[^1]);
            Assert.Single(m.AdditionalRecords.OfType<OPTRecord>());
            Assert.Empty(opt.Name.Labels);
            Assert.Equal(1232, opt.RequestorPayloadSize);
            Assert.Equal(0, opt.Version);
            Assert.Empty(opt.Options);
            // Makaretu's DO is true only when the whole TTL is 0x8000, and it names the TTL's top
            // byte Opcode8 where RFC 6891 6.1.3 has the extended RCODE: both are read from the TTL here.
            // The reply's flags are DO as asked and nothing else.
            bool dnssecOk = ((long)queryOpt.TTL.TotalSeconds & 0x8000) != 0;
            Assert.Equal((queryOpt.Version != 0 ? 0x0100_0000L : 0L) + (dnssecOk ? 0x8000L : 0L), (long)opt.TTL.TotalSeconds);
            if (queryOpt.Version != 0)
            {
                Assert.Equal(1, opt.Opcode8);   // BADVERS (16) = 1 << 4 | 0
                Assert.Equal(MessageStatus.NoError, m.Status);
                Assert.Empty(m.Answers);
                Assert.Empty(m.AuthorityRecords);
                Assert.False(m.TC, "TC");
                return;
            }
            Assert.Equal(0, opt.Opcode8);
        }

        ushort type = BinaryPrimitives.ReadUInt16BigEndian(asked.AsSpan(questionEnd - 4));
        TableModel.Expected? expected = tables.Expect(asked[12..(questionEnd - 4)], type);
        Assert.True(expected is not null, $"answered type {type} for a name it must forward");
        Assert.Equal(expected.Rcode, (int)m.Status);
        if (m.TC)
        {
            // Truncated: the question (and OPT) alone, and only because the whole answer would not
            // fit the client's limit or the port's MTU (RFC 1035 4.2.1, RFC 2181 9).
            Assert.Empty(m.Answers);
            Assert.Empty(m.AuthorityRecords);
            Assert.Empty(glue);
            int whole = questionEnd + RecordsLength(expected) + (queryOpt is null ? 0 : 11);
            int limit = Math.Min(queryOpt is null ? 512 : Math.Max(512, (int)queryOpt.RequestorPayloadSize), mtu - (v4 ? 20 : 40) - 8);
            Assert.True(whole > limit, $"truncated an answer of {whole} bytes that fits the limit of {limit}");
            return;
        }
        Assert.Equal(expected.Answers.Length, m.Answers.Count);
        byte[][] questionLabels = TableModel.Labels(asked.AsSpan(12));
        for (int i = 0; i < m.Answers.Count; i++)
        {
            ResourceRecord record = m.Answers[i];
            Assert.Equal(DnsClass.IN, record.Class);
            Assert.Equal(TimeSpan.FromSeconds(tables.Ttl), record.TTL);
            switch (expected.Answers[i])
            {
                case IPAddress address:
                    AssertOwner(questionLabels, record);
                    Assert.Equal(address, Assert.IsAssignableFrom<AddressRecord>(record).Address);
                    break;
                case TableModel.Ptr ptr:
                    AssertOwner(questionLabels, record);
                    Assert.Equal(ptr.Target.Split('.'), Assert.IsType<PTRRecord>(record).DomainName.Labels);
                    break;
                case TableModel.Soa:
                    AssertSoa(expected.Zone!, record, tables.Ttl);
                    break;
                case TableModel.Ns ns:
                    AssertOwner(questionLabels, record);
                    string[] server = ns.Target.Split('.');
                    Assert.Equal(server, Assert.IsType<NSRecord>(record).Authority.Labels);
                    // Glue: the server's addresses, IPv4 first, owned by the server's name.
                    IPAddress[] addresses = [.. ns.Glue.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork),
                        .. ns.Glue.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)];
                    Assert.Equal(addresses, glue.Select(g => Assert.IsAssignableFrom<AddressRecord>(g).Address));
                    Assert.All(glue, g => Assert.Equal(server.Select(l => l.ToLowerInvariant()), g.Name.Labels.Select(l => l.ToLowerInvariant())));
                    break;
                default:
                    throw new InvalidOperationException("unknown expected answer " + expected.Answers[i]);
            }
        }
        if (expected.SoaInAuthority)
            AssertSoa(expected.Zone!, Assert.Single(m.AuthorityRecords), tables.Ttl);
        else
            Assert.Empty(m.AuthorityRecords);
        if (!expected.Answers.OfType<TableModel.Ns>().Any()) Assert.Empty(glue);
    }

    // The bytes a whole answer takes after the question, OPT not included: each record is a
    // 2-byte owner pointer, 10 bytes of type, class, TTL and length, then its data.
    private static int RecordsLength(TableModel.Expected expected) =>
        expected.Answers.Sum(a => a switch
        {
            IPAddress address => 12 + address.GetAddressBytes().Length,
            TableModel.Ptr ptr => 12 + TestDns.Name(ptr.Target).Length,
            TableModel.Soa => SoaLength,
            TableModel.Ns ns => 12 + TestDns.Name(ns.Target).Length + ns.Glue.Sum(g => 12 + g.GetAddressBytes().Length),
            _ => throw new InvalidOperationException("unknown expected answer " + a),
        }) + (expected.SoaInAuthority ? SoaLength : 0);

    // Owner pointer, 10 bytes, then MNAME (pointer), RNAME (hostmaster + pointer) and five numbers.
    private const int SoaLength = 12 + 2 + 11 + 2 + 20;

    // RFC 1122 3.2.1.3 and RFC 4291 2.7: sources a server never answers.
    private static bool IsMartian(ReadOnlySpan<byte> source) => source.Length == 4
        ? source.IndexOfAnyExcept((byte)0) < 0 || source[0] == 127 || (source[0] & 0xF0) == 0xE0 || source.IndexOfAnyExcept((byte)0xFF) < 0
        : source[0] == 0xFF || (source[..15].IndexOfAnyExcept((byte)0) < 0 && source[15] <= 1);

    private static void AssertOwner(byte[][] question, ResourceRecord record) =>
        Assert.Equal(question.Select(Text), record.Name.Labels.Select(l => l.ToLowerInvariant()));

    private static void AssertSoa(byte[][] zone, ResourceRecord record, uint ttl)
    {
        SOARecord soa = Assert.IsType<SOARecord>(record);
        string[] apex = zone.Select(Text).ToArray();
        Assert.Equal(apex, soa.Name.Labels.Select(l => l.ToLowerInvariant()));
        Assert.Equal(apex, soa.PrimaryName.Labels.Select(l => l.ToLowerInvariant()));
        Assert.Equal(apex.Prepend("hostmaster"), soa.Mailbox.Labels.Select(l => l.ToLowerInvariant()));
        Assert.Equal(TimeSpan.FromSeconds(ttl), soa.TTL);
        Assert.Equal(TimeSpan.FromSeconds(ttl), soa.Minimum);
        Assert.Equal(1u, soa.SerialNumber);
    }

    private static string Text(byte[] label) => new(label.Select(b => b >= 0x80 ? (char)0x7F : (char)b).ToArray());

    private static void AssertArp(byte[] query, byte[] reply, TableModel tables)
    {
        var asked = Assert.IsType<ArpPacket>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, query)).PayloadPacket);
        Assert.Equal(ArpOperation.Request, asked.Operation);
        Assert.Equal(query.AsSpan(6, 6).ToArray(), asked.SenderHardwareAddress.GetAddressBytes());
        Assert.NotEqual(asked.SenderProtocolAddress, asked.TargetProtocolAddress);
        PhysicalAddress? owner = tables.NeighborOf(asked.TargetProtocolAddress);
        Assert.True(owner is not null, $"answered ARP for {asked.TargetProtocolAddress}, which the table does not have");
        Assert.NotEqual(owner, asked.SenderHardwareAddress);

        Assert.Equal(42, reply.Length);
        var ethernet = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, reply));
        var arp = Assert.IsType<ArpPacket>(ethernet.PayloadPacket);
        Assert.Equal(asked.SenderHardwareAddress, ethernet.DestinationHardwareAddress);
        Assert.Equal(owner, ethernet.SourceHardwareAddress);
        Assert.Equal(ArpOperation.Response, arp.Operation);
        Assert.Equal(owner, arp.SenderHardwareAddress);
        Assert.Equal(asked.TargetProtocolAddress, arp.SenderProtocolAddress);
        Assert.Equal(asked.SenderHardwareAddress, arp.TargetHardwareAddress);
        Assert.Equal(asked.SenderProtocolAddress, arp.TargetProtocolAddress);
    }

    private static void AssertNeighborAdvertisement(byte[] query, int icmp, byte[] reply, TableModel tables)
    {
        var source = new IPAddress(query.AsSpan(22, 16));
        var target = new IPAddress(query.AsSpan(icmp + 8, 16));
        bool dad = source.Equals(IPAddress.IPv6Any);
        Assert.Equal(255, query[21]);
        PhysicalAddress? owner = tables.NeighborOf(target);
        Assert.True(owner is not null, $"answered a solicitation for {target}, which the table does not have");
        Assert.NotEqual(owner.GetAddressBytes(), query.AsSpan(6, 6).ToArray());

        var ethernet = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, reply));
        var ip = Assert.IsType<IPv6Packet>(ethernet.PayloadPacket);
        var message = Assert.IsType<IcmpV6Packet>(ip.PayloadPacket);
        Assert.True(TestPackets.PacketDotNetIcmpv6Valid(reply), "ICMPv6 checksum");
        Assert.Equal(IcmpV6Type.NeighborAdvertisement, message.Type);
        Assert.Equal(0, message.Code);
        Assert.Equal(255, ip.HopLimit);
        Assert.Equal(target, ip.SourceAddress);
        Assert.Equal(dad ? IPAddress.Parse("ff02::1") : source, ip.DestinationAddress);
        Assert.Equal(owner, ethernet.SourceHardwareAddress);
        Assert.Equal(dad ? AllNodesMac : new PhysicalAddress(query.AsSpan(6, 6).ToArray()), ethernet.DestinationHardwareAddress);

        var na = Assert.IsType<NdpNeighborAdvertisementPacket>(message.PayloadPacket);
        Assert.Equal(target, na.TargetAddress);
        Assert.False(na.Router);
        Assert.Equal(!dad, na.Solicited);
        Assert.True(na.Override);
        var option = Assert.IsType<NdpLinkLayerAddressOption>(Assert.Single(na.OptionsCollection));
        Assert.Equal(OptionTypes.TargetLinkLayerAddress, option.Type);
        Assert.Equal(owner, option.LinkLayerAddress);
    }

    /// <summary>Strips an 802.1Q tag, returning the frame as the pipeline sees it and the VLAN id it carried.</summary>
    public static (byte[] Frame, int? Vlan) Untag(byte[] frame)
    {
        if (frame.Length < 18 || BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) != 0x8100) return (frame, null);
        int vlan = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14)) & 0x0FFF;
        return ([.. frame.AsSpan(0, 12), .. frame.AsSpan(16)], vlan);
    }

    // Where the question section of a well-formed query ends (after QTYPE and QCLASS).
    private static int QuestionEnd(byte[] dns)
    {
        int i = 12;
        while (dns[i] != 0) i += 1 + dns[i];
        return i + 5;
    }

    private static byte[] AdjustForMakaretu(byte[] dns)
    {
        byte[] copy = (byte[])dns.Clone();
        int i = 12;
        for (; i < copy.Length && copy[i] is > 0 and <= 63; i += 1 + copy[i])
        {
            for (int j = i + 1; j <= i + copy[i] && j < copy.Length; j++)
                if (copy[j] >= 0x80) copy[j] = 0x7F;
        }
        // A query's OPT record follows its question: root name, type 41, class, TTL, RDLENGTH, options.
        int opt = i + 5;
        if (copy.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(10)) == 0 || opt + 11 > copy.Length ||
            copy[opt] != 0 || BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(opt + 1)) != 41)
            return copy;
        int end = Math.Min(copy.Length, opt + 11 + BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(opt + 9)));
        for (int o = opt + 11; o + 4 <= end; o += 4 + BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(o + 2)))
            BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(o), 65001);
        return copy;
    }
}
