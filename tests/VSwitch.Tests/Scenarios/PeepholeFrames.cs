using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;
using VSwitch.Tests.Frames;

namespace VSwitch.Tests.Scenarios;

/// <summary>Frames for peephole scenarios: queries as hosts send them and the replies they must get.</summary>
/// <remarks>IPv4/IPv6 and UDP are built and checksummed by PacketDotNet; ARP by PacketDotNet;
/// neighbour discovery laid out by hand (PacketDotNet cannot build it) and checksummed by PacketDotNet.</remarks>
public static class PeepholeFrames
{
    public static readonly PhysicalAddress ServerMac = TestFrames.Mac("02:00:00:00:00:53");
    public const string ServerIp = "198.18.0.53", ServerIp6 = "2001:db8::53";
    public const string ClientIp6 = "2001:db8::a";

    /// <summary>An IPv4/UDP frame. Replies the switch writes have TTL 64, ID 0 and DF set.</summary>
    public static byte[] Udp4(PhysicalAddress srcMac, PhysicalAddress dstMac, string srcIp, string dstIp, ushort srcPort, ushort dstPort,
        byte[] payload, byte ttl = 64, bool dontFragment = true, bool moreFragments = false, ushort id = 0, bool breakChecksum = false)
    {
        var udp = new UdpPacket(srcPort, dstPort) { PayloadData = payload };
        var ip = new IPv4Packet(IPAddress.Parse(srcIp), IPAddress.Parse(dstIp))
        {
            PayloadPacket = udp,
            TimeToLive = ttl,
            Id = id,
            FragmentFlags = (byte)((dontFragment ? 2 : 0) | (moreFragments ? 1 : 0)),
        };
        var eth = new EthernetPacket(srcMac, dstMac, EthernetType.IPv4) { PayloadPacket = ip };
        udp.UpdateCalculatedValues();
        ip.UpdateCalculatedValues();
        udp.UpdateUdpChecksum();
        ip.UpdateIPChecksum();
        byte[] bytes = eth.Bytes;
        if (breakChecksum) bytes[14 + 20 + 7] ^= 0x55;
        return bytes;
    }

    public static byte[] Udp6(PhysicalAddress srcMac, PhysicalAddress dstMac, string srcIp, string dstIp, ushort srcPort, ushort dstPort,
        byte[] payload, byte hopLimit = 64)
    {
        var udp = new UdpPacket(srcPort, dstPort) { PayloadData = payload };
        var ip = new IPv6Packet(IPAddress.Parse(srcIp), IPAddress.Parse(dstIp)) { PayloadPacket = udp, HopLimit = hopLimit };
        var eth = new EthernetPacket(srcMac, dstMac, EthernetType.IPv6) { PayloadPacket = ip };
        udp.UpdateCalculatedValues();
        ip.UpdateCalculatedValues();
        udp.UpdateUdpChecksum();
        return eth.Bytes;
    }

    /// <summary>A DNS query from <paramref name="client"/> to the server, and the reply the switch must send back for it.</summary>
    public static byte[] Query(TestFrames.Host client, byte[] dns, ushort clientPort = 40053, bool moreFragments = false, bool breakChecksum = false) =>
        Udp4(client.Mac, ServerMac, client.Ip, ServerIp, clientPort, 53, dns, moreFragments: moreFragments, breakChecksum: breakChecksum);

    public static byte[] Reply(TestFrames.Host client, byte[] dns, ushort clientPort = 40053) =>
        Udp4(ServerMac, client.Mac, ServerIp, client.Ip, 53, clientPort, dns);

    public static byte[] Tcp53(TestFrames.Host client)
    {
        var tcp = new TcpPacket(40053, 53) { Synchronize = true, SequenceNumber = 1, WindowSize = 65535 };
        var ip = new IPv4Packet(client.Address, IPAddress.Parse(ServerIp)) { PayloadPacket = tcp, TimeToLive = 64 };
        var eth = new EthernetPacket(client.Mac, ServerMac, EthernetType.IPv4) { PayloadPacket = ip };
        tcp.UpdateCalculatedValues();
        ip.UpdateCalculatedValues();
        tcp.UpdateTcpChecksum();
        ip.UpdateIPChecksum();
        return eth.Bytes;
    }

    public static byte[] Arp(ArpOperation op, PhysicalAddress ethSrc, PhysicalAddress ethDst, PhysicalAddress senderMac, string senderIp,
        PhysicalAddress targetMac, string targetIp)
    {
        var arp = new ArpPacket(op, targetMac, IPAddress.Parse(targetIp), senderMac, IPAddress.Parse(senderIp));
        return new EthernetPacket(ethSrc, ethDst, EthernetType.Arp) { PayloadPacket = arp }.Bytes;
    }

    /// <summary>A neighbour solicitation for <paramref name="target"/>, with a source link-layer option unless <paramref name="sllao"/> is null.</summary>
    public static byte[] Solicitation(PhysicalAddress ethSrc, PhysicalAddress ethDst, string srcIp, string dstIp, string target,
        PhysicalAddress? sllao, byte hopLimit = 255)
    {
        var body = new List<byte> { 0, 0, 0, 0 };
        body.AddRange(IPAddress.Parse(target).GetAddressBytes());
        if (sllao is not null)
        {
            body.Add(1);
            body.Add(1);
            body.AddRange(sllao.GetAddressBytes());
        }
        return Icmpv6(ethSrc, ethDst, srcIp, dstIp, 135, [.. body], hopLimit);
    }

    /// <summary>A neighbour advertisement with the target link-layer option; <paramref name="solicited"/> sets S, O is always set.</summary>
    public static byte[] Advertisement(PhysicalAddress ethSrc, PhysicalAddress ethDst, string srcIp, string dstIp, string target,
        PhysicalAddress tlla, bool solicited)
    {
        var body = new List<byte> { (byte)(solicited ? 0x60 : 0x20), 0, 0, 0 };
        body.AddRange(IPAddress.Parse(target).GetAddressBytes());
        body.Add(2);
        body.Add(1);
        body.AddRange(tlla.GetAddressBytes());
        return Icmpv6(ethSrc, ethDst, srcIp, dstIp, 136, [.. body], 255);
    }

    /// <summary>A Router Advertisement (RFC 4861 4.2) to all nodes, with the source link-layer option:
    /// current hop limit 64, no flags, <paramref name="lifetime"/> seconds as default router.</summary>
    public static byte[] RouterAdvertisement(PhysicalAddress router, string srcIp, ushort lifetime, byte hopLimit = 255)
    {
        var body = new List<byte> { 64, 0, (byte)(lifetime >> 8), (byte)lifetime, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 };
        body.AddRange(router.GetAddressBytes());
        return Icmpv6(router, TestFrames.Mac("33:33:00:00:00:01"), srcIp, "ff02::1", 134, [.. body], hopLimit);
    }

    /// <summary>The solicited-node multicast address of <paramref name="address"/> and its MAC.</summary>
    public static (string Ip, PhysicalAddress Mac) SolicitedNode(string address)
    {
        byte[] a = IPAddress.Parse(address).GetAddressBytes();
        var ip = new IPAddress([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, a[13], a[14], a[15]]).ToString();
        return (ip, new PhysicalAddress([0x33, 0x33, 0xff, a[13], a[14], a[15]]));
    }

    private static byte[] Icmpv6(PhysicalAddress ethSrc, PhysicalAddress ethDst, string srcIp, string dstIp, byte type, byte[] body, byte hopLimit)
    {
        int length = 4 + body.Length;
        var frame = new byte[14 + 40 + length];
        ethDst.GetAddressBytes().CopyTo(frame, 0);
        ethSrc.GetAddressBytes().CopyTo(frame, 6);
        frame[12] = 0x86;
        frame[13] = 0xDD;
        frame[14] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)length);
        frame[20] = 58;
        frame[21] = hopLimit;
        IPAddress.Parse(srcIp).GetAddressBytes().CopyTo(frame, 22);
        IPAddress.Parse(dstIp).GetAddressBytes().CopyTo(frame, 38);
        frame[54] = type;
        body.CopyTo(frame, 58);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(56), TestPackets.PacketDotNetIcmpv6Checksum(frame));
        return frame;
    }
}
