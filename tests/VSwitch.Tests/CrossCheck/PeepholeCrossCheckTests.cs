using System.Buffers.Binary;
using Makaretu.Dns;
using PacketDotNet;
using VSwitch.Tests.Frames;
using VSwitch.Tests.Scenarios;
using ArpPacket = PacketDotNet.ArpPacket;

namespace VSwitch.Tests.CrossCheck;

/// <summary>
/// Re-reads the expected outputs of every peephole capture scenario with parsers we did not write
/// (PacketDotNet, Makaretu.Dns) and checks each reply the switch wrote against the scenario's hosts
/// and ethers files as <see cref="TableModel"/> reads them.
/// </summary>
/// <remarks>A frame in an output capture was written by the switch when no port received it: the
/// rest are forwarded frames, which are decoded too but judged only by the replay test.</remarks>
[Trait("Category", "Captures")]
public class PeepholeCrossCheckTests
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        string root = Path.Combine(ScenarioFiles.CapturesRoot, "peephole");
        foreach (string dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ExpectedOutputs_EveryReplyDecodesAndAgreesWithTheTables(string scenario)
    {
        string dir = Path.Combine(ScenarioFiles.CapturesRoot, "peephole", scenario);
        var tables = TableModel.Load(dir);
        List<byte[]> inputs = Directory.GetFiles(dir, "in.*.pcap").Order(StringComparer.Ordinal)
            .SelectMany(ScenarioFiles.ReadPcap).ToList();
        var received = inputs.Select(f => Convert.ToHexString(ReplyOracle.Untag(f).Frame)).ToHashSet(StringComparer.Ordinal);
        SortedDictionary<string, long> counters = ScenarioFiles.ReadCounters(dir);

        var written = new Dictionary<ReplyOracle.Kind, int>();
        int dnsFrames = 0, arpFrames = 0, icmpv6Frames = 0, dhcpFrames = 0;
        List<ScenarioTopologyPort> ports = ScenarioFiles.ReadTopology(dir).Ports;
        foreach (string file in Directory.GetFiles(dir, "out.*.pcap").Order(StringComparer.Ordinal))
        {
            // A DNS reply is bounded by the MTU of the port it leaves by (the asker's).
            int mtu = ports.Single(p => Path.GetFileName(file) == $"out.{p.Name}.pcap").Mtu;
            foreach (byte[] frame in ScenarioFiles.ReadPcap(file))
            {
                byte[] untagged = ReplyOracle.Untag(frame).Frame;
                bool byTheSwitch = !received.Contains(Convert.ToHexString(untagged));
                var ethernet = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, untagged));
                if (ethernet.Extract<UdpPacket>() is { SourcePort: 53 })
                {
                    dnsFrames++;
                    Message message = ReplyOracle.DecodeDns(ReplyOracle.DecodeUdp53(untagged, out _, out _, out _));
                    Assert.True(message.QR);
                    if (byTheSwitch) Judge(written, FindDnsQuery(inputs, untagged), frame, tables, mtu);
                }
                else if (ethernet.Extract<UdpPacket>() is { SourcePort: 67 } udp67)
                {
                    dhcpFrames++;
                    Assert.True(udp67.ValidUdpChecksum, "DHCP reply UDP checksum");
                    Assert.True(ethernet.Extract<IPv4Packet>().ValidIPChecksum, "DHCP reply IP checksum");
                    if (byTheSwitch) JudgeDhcp(udp67, tables);
                }
                else if (ethernet.PayloadPacket is ArpPacket { Operation: ArpOperation.Response } arp)
                {
                    arpFrames++;
                    if (byTheSwitch) Judge(written, FindArpRequests(inputs, arp), frame, tables);
                }
                else if (ethernet.Extract<IcmpV6Packet>() is { } icmp)
                {
                    icmpv6Frames++;
                    Assert.True(TestPackets.PacketDotNetIcmpv6Valid(untagged), "ICMPv6 checksum");
                    if (byTheSwitch && icmp.Type == IcmpV6Type.NeighborAdvertisement)
                        Judge(written, FindSolicitations(inputs, (NdpNeighborAdvertisementPacket)icmp.PayloadPacket), frame, tables);
                }
            }
        }

        // Every DNS reply the switch counted is in the outputs, once (DNS replies are unicast to the asker).
        long dnsReplies = new[] { "replied", "nxdomain", "nodata", "badvers", "truncated" }.Sum(o => counters.GetValueOrDefault("peephole/dns/" + o));
        Assert.Equal(dnsReplies, written.GetValueOrDefault(ReplyOracle.Kind.Dns));
        if (counters.GetValueOrDefault("peephole/arp/replied") > 0) Assert.True(written.GetValueOrDefault(ReplyOracle.Kind.Arp) > 0);
        if (counters.GetValueOrDefault("peephole/nd/replied") > 0) Assert.True(written.GetValueOrDefault(ReplyOracle.Kind.Nd) > 0);
        Assert.True(dnsFrames + arpFrames + icmpv6Frames + dhcpFrames > 0, "the scenario's outputs hold no reply at all");
    }

    // A DHCP reply, as PacketDotNet reads it: an OFFER or ACK that leases an address gives the
    // address the ethers table holds for the client's MAC; a NAK leases nothing.
    private static void JudgeDhcp(UdpPacket udp, TableModel tables)
    {
        var dhcp = Assert.IsType<DhcpV4Packet>(udp.PayloadPacket);
        Assert.Equal(DhcpV4Operation.BootReply, dhcp.Operation);
        Assert.Equal(0x63825363u, dhcp.MagicNumber);
        // RFC 2132 3.3: when both are sent, the subnet mask comes before the router.
        List<DhcpV4OptionType> order = dhcp.GetOptions().Select(o => o.OptionType).ToList();
        int mask = order.IndexOf(DhcpV4OptionType.SubnetMask), router = order.IndexOf(DhcpV4OptionType.Router);
        if (mask >= 0 && router >= 0) Assert.True(mask < router, "the router option precedes the subnet mask");
        System.Net.IPAddress yiaddr = dhcp.YourAddress;
        if (dhcp.MessageType == DhcpV4MessageType.Nak || yiaddr.Equals(System.Net.IPAddress.Any)) return;
        Assert.True(dhcp.MessageType is DhcpV4MessageType.Offer or DhcpV4MessageType.Ack, dhcp.MessageType.ToString());
        Assert.Equal(dhcp.ClientHardwareAddress, tables.NeighborOf(yiaddr));
    }

    // A reply must answer one of the queries it could belong to; identical queries (a repeated ARP
    // request, two DAD probes for one address) make several candidates.
    private static void Judge(Dictionary<ReplyOracle.Kind, int> written, List<byte[]> candidates, byte[] reply, TableModel tables, int mtu = 1500)
    {
        Assert.True(candidates.Count > 0, "a reply the switch wrote answers no frame any port sent: " + Convert.ToHexString(reply));
        Exception? first = null;
        foreach (byte[] query in candidates)
        {
            try
            {
                ReplyOracle.Kind kind = ReplyOracle.AssertAnswers(query, reply, tables, mtu);
                written[kind] = written.GetValueOrDefault(kind) + 1;
                return;
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or InvalidDataException)
            {
                first ??= e;
            }
        }
        throw first!;
    }

    // Candidates are looked for in the frames as the pipeline sees them (untagged) and returned as sent.
    private static IEnumerable<(byte[] Sent, byte[] Untagged)> Untagged(List<byte[]> inputs) =>
        inputs.Select(f => (f, ReplyOracle.Untag(f).Frame));

    private static List<byte[]> FindDnsQuery(List<byte[]> inputs, byte[] reply)
    {
        Assert.True(Wire.TryFindUdp(reply, out _, out int udp, out _));
        ReadOnlySpan<byte> header = reply.AsSpan(udp + 8, 2);
        var found = new List<byte[]>();
        foreach (var (sent, q) in Untagged(inputs))
        {
            if (Wire.TryFindUdp(q, out _, out int at, out int length) && length >= 10 &&
                BinaryPrimitives.ReadUInt16BigEndian(q.AsSpan(at + 2)) == 53 && q.AsSpan(at + 8, 2).SequenceEqual(header))
                found.Add(sent);
        }
        return found;
    }

    private static List<byte[]> FindArpRequests(List<byte[]> inputs, ArpPacket reply) =>
        Untagged(inputs).Where(q => Packet.ParsePacket(LinkLayers.Ethernet, q.Untagged).PayloadPacket is ArpPacket { Operation: ArpOperation.Request } request &&
            request.TargetProtocolAddress.Equals(reply.SenderProtocolAddress) &&
            request.SenderProtocolAddress.Equals(reply.TargetProtocolAddress) &&
            request.SenderHardwareAddress.Equals(reply.TargetHardwareAddress)).Select(q => q.Sent).ToList();

    private static List<byte[]> FindSolicitations(List<byte[]> inputs, NdpNeighborAdvertisementPacket reply) =>
        Untagged(inputs).Where(q => Wire.TryFindIcmpv6(q.Untagged, out _, out int icmp) && q.Untagged[icmp] == 135 &&
            new System.Net.IPAddress(q.Untagged.AsSpan(icmp + 8, 16)).Equals(reply.TargetAddress)).Select(q => q.Sent).ToList();
}
