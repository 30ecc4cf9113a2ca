using System.Globalization;
using System.Text;
using DnsClient;
using PacketDotNet;
using MacAddress = VSwitch.Datapath.Frames.MacAddress;

namespace VSwitch.Daemon.Tracing;

/// <summary>A frame in one line, for a person reading a trace: the reply the peephole would write.</summary>
/// <remarks>Decoded with PacketDotNet (and DnsClient's datagram reader for DNS names), parsers we did
/// not write, so the line says what an independent reader makes of the reply, not what the writer
/// meant. Never throws: what cannot be decoded is said so.</remarks>
public static class FrameDecoder
{
    public static string Describe(byte[] frame)
    {
        try
        {
            return Describe(Packet.ParsePacket(LinkLayers.Ethernet, frame), frame);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException or NotSupportedException)
        {
            return $"({frame.Length} bytes PacketDotNet cannot decode: {e.Message})";
        }
    }

    private static string Describe(Packet packet, byte[] frame)
    {
        if (packet is not EthernetPacket eth) return "(not Ethernet)";
        var line = new StringBuilder($"{Mac(eth.SourceHardwareAddress.GetAddressBytes())} > {Mac(eth.DestinationHardwareAddress.GetAddressBytes())}");
        Packet? inner = eth.PayloadPacket;
        if (inner is Ieee8021QPacket tag)
        {
            line.Append($", 802.1Q VLAN {tag.VlanIdentifier}");
            inner = tag.PayloadPacket;
        }
        switch (inner)
        {
            case ArpPacket arp:
                line.Append(arp.Operation == ArpOperation.Response
                    ? $", ARP reply {arp.SenderProtocolAddress} is-at {Mac(arp.SenderHardwareAddress.GetAddressBytes())}"
                    : $", ARP {arp.Operation} who-has {arp.TargetProtocolAddress} tell {arp.SenderProtocolAddress}");
                break;
            case IPPacket ip:
                line.Append($", {ip.SourceAddress} > {ip.DestinationAddress}");
                switch (ip.PayloadPacket)
                {
                    case UdpPacket udp:
                        line.Append($", UDP {udp.SourcePort} > {udp.DestinationPort}");
                        if (udp.SourcePort == 53) line.Append(", ").Append(Dns(udp.PayloadData));
                        else if (udp.SourcePort == 67) line.Append($", DHCP ({udp.PayloadData.Length} bytes)");
                        break;
                    case IcmpV6Packet icmp6 when ip is IPv6Packet six:
                        // The message is the frame's last PayloadLength bytes (PacketDotNet's Bytes here start at the IP header).
                        line.Append(", ICMPv6 ").Append(Icmp6(icmp6.Type, frame.AsSpan(Math.Max(0, frame.Length - six.PayloadLength))));
                        break;
                    case IcmpV4Packet icmp:
                        line.Append($", ICMP {icmp.TypeCode}");
                        break;
                    case Packet other:
                        line.Append(", ").Append(other.GetType().Name);
                        break;
                }
                break;
        }
        return line.ToString();
    }

    private static string Icmp6(IcmpV6Type type, ReadOnlySpan<byte> b)
    {
        if (type != IcmpV6Type.NeighborAdvertisement || b.Length < 24) return type.ToString();
        var target = new System.Net.IPAddress(b.Slice(8, 16));
        return $"neighbour advertisement {target} (R={(b[4] >> 7) & 1} S={(b[4] >> 6) & 1} O={(b[4] >> 5) & 1})"
            + (b.Length >= 32 && b[24] == 2 ? $" is-at {Mac(b.Slice(26, 6))}" : "");
    }

    // The header's code and counts, then the answer records' data (A, AAAA, PTR, CNAME; others by type).
    private static string Dns(byte[] message)
    {
        if (message.Length < 12) return "DNS (short)";
        int rcode = message[3] & 0x0F;
        int questions = message[4] << 8 | message[5], answers = message[6] << 8 | message[7];
        string code = rcode switch { 0 => "NOERROR", 1 => "FORMERR", 2 => "SERVFAIL", 3 => "NXDOMAIN", 4 => "NOTIMP", 5 => "REFUSED", _ => "RCODE " + rcode };
        var text = new StringBuilder($"DNS response {code}{((message[2] & 0x04) != 0 ? " aa" : "")}{((message[2] & 0x02) != 0 ? " tc" : "")}, {answers} answer{(answers == 1 ? "" : "s")}");
        try
        {
            var reader = new DnsDatagramReader(new ArraySegment<byte>(message), 12);
            for (int i = 0; i < questions; i++)
            {
                text.Append($" to {reader.ReadDnsName()}");
                reader.Advance(4);
            }
            for (int i = 0; i < answers; i++)
            {
                reader.ReadDnsName();
                int type = reader.ReadUInt16NetworkOrder();
                reader.Advance(2);
                uint ttl = reader.ReadUInt32NetworkOrder();
                int length = reader.ReadUInt16NetworkOrder();
                string data = type switch
                {
                    1 when length == 4 => "A " + reader.ReadIPAddress(),
                    28 when length == 16 => "AAAA " + reader.ReadIPv6Address(),
                    12 => "PTR " + reader.ReadDnsName(),
                    5 => "CNAME " + reader.ReadDnsName(),
                    _ => Skip(reader, length, "type " + type.ToString(CultureInfo.InvariantCulture)),
                };
                text.Append($"{(i == 0 ? ":" : ",")} {data} ttl {ttl}");
            }
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or DnsResponseParseException)
        {
            text.Append(" (DnsClient cannot read the records: " + e.Message + ")");
        }
        return text.ToString();
    }

    private static string Skip(DnsDatagramReader reader, int length, string what)
    {
        reader.Advance(length);
        return what;
    }

    private static string Mac(ReadOnlySpan<byte> mac) => MacAddress.Format(MacAddress.Read(mac));
}
