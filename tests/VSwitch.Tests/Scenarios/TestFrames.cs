using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;

namespace VSwitch.Tests.Scenarios;

/// <summary>Frames for scenarios, built with PacketDotNet (a library independent of the switch).</summary>
public static class TestFrames
{
    public static PhysicalAddress Mac(string text) => PhysicalAddress.Parse(text.Replace(':', '-').ToUpperInvariant());

    public static readonly PhysicalAddress Broadcast = Mac("ff:ff:ff:ff:ff:ff");

    /// <summary>A host on the test network: its MAC and an address in 198.18.0.0/15.</summary>
    public sealed record Host(string MacText, string Ip)
    {
        public PhysicalAddress Mac => TestFrames.Mac(MacText);
        public IPAddress Address => IPAddress.Parse(Ip);
    }

    public static readonly Host A = new("02:00:00:00:00:0a", "198.18.0.10");
    public static readonly Host B = new("02:00:00:00:00:0b", "198.18.0.11");
    public static readonly Host C = new("02:00:00:00:00:0c", "198.18.0.12");
    public static readonly Host D = new("02:00:00:00:00:0d", "198.18.0.13");

    /// <summary>A UDP datagram from <paramref name="from"/> to <paramref name="to"/>; the payload says which frame it is.</summary>
    public static byte[] Udp(Host from, Host to, string payload, int padTo = 0)
    {
        var udp = new UdpPacket(40000, 9) { PayloadData = System.Text.Encoding.ASCII.GetBytes(payload.PadRight(padTo, '.')) };
        var ip = new IPv4Packet(from.Address, to.Address) { PayloadPacket = udp, TimeToLive = 64 };
        var eth = new EthernetPacket(from.Mac, to.Mac, EthernetType.IPv4) { PayloadPacket = ip };
        udp.UpdateUdpChecksum();
        ip.UpdateCalculatedValues();
        ip.UpdateIPChecksum();
        return eth.Bytes;
    }

    /// <summary>A UDP datagram to a group or broadcast MAC (and the matching IP group).</summary>
    public static byte[] UdpTo(Host from, PhysicalAddress toMac, string toIp, string payload)
    {
        var udp = new UdpPacket(5353, 5353) { PayloadData = System.Text.Encoding.ASCII.GetBytes(payload) };
        var ip = new IPv4Packet(from.Address, IPAddress.Parse(toIp)) { PayloadPacket = udp, TimeToLive = 1 };
        var eth = new EthernetPacket(from.Mac, toMac, EthernetType.IPv4) { PayloadPacket = ip };
        udp.UpdateUdpChecksum();
        ip.UpdateCalculatedValues();
        ip.UpdateIPChecksum();
        return eth.Bytes;
    }

    /// <summary>An ICMPv6 echo to the all-nodes group, as IPv6 multicast (33:33:00:00:00:01).</summary>
    public static byte[] Ipv6AllNodes(Host from)
    {
        var src = IPAddress.Parse("2001:db8::" + from.MacText[^2..]);
        var icmp = new IcmpV6Packet(new PacketDotNet.Utils.ByteArraySegment(new byte[] { 128, 0, 0, 0, 0, 1, 0, 1 }));
        var ip = new IPv6Packet(src, IPAddress.Parse("ff02::1")) { PayloadPacket = icmp, HopLimit = 1 };
        var eth = new EthernetPacket(from.Mac, Mac("33:33:00:00:00:01"), EthernetType.IPv6) { PayloadPacket = ip };
        ip.UpdateCalculatedValues();
        icmp.UpdateIcmpChecksum();
        return eth.Bytes;
    }

    /// <summary>An ARP who-has from <paramref name="from"/> for <paramref name="target"/>'s address, broadcast.</summary>
    public static byte[] ArpRequest(Host from, Host target)
    {
        var arp = new ArpPacket(ArpOperation.Request, Mac("00:00:00:00:00:00"), target.Address, from.Mac, from.Address);
        return new EthernetPacket(from.Mac, Broadcast, EthernetType.Arp) { PayloadPacket = arp }.Bytes;
    }

    /// <summary>The ARP reply <paramref name="from"/> sends to <paramref name="to"/>.</summary>
    public static byte[] ArpReply(Host from, Host to)
    {
        var arp = new ArpPacket(ArpOperation.Response, to.Mac, to.Address, from.Mac, from.Address);
        return new EthernetPacket(from.Mac, to.Mac, EthernetType.Arp) { PayloadPacket = arp }.Bytes;
    }

    /// <summary>The frame with an 802.1Q tag inserted after the source MAC (written here, not by the switch's code).</summary>
    public static byte[] Tagged(byte[] frame, ushort vlan, byte pcp = 0)
    {
        var tagged = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), (ushort)((pcp << 13) | vlan));
        frame.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }

    /// <summary>Raw bytes for frames PacketDotNet will not build (runts, lying headers).</summary>
    public static byte[] Raw(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
