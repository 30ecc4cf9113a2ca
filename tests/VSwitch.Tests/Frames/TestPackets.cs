using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;

namespace VSwitch.Tests.Frames;

/// <summary>Shared test inputs: hex parsing, a deliberately naive reference checksum, and packets
/// built with PacketDotNet, a parser and builder we did not write.</summary>
internal static class TestPackets
{
    public static readonly PhysicalAddress MacA = PhysicalAddress.Parse("02-00-00-00-00-0A");
    public static readonly PhysicalAddress MacB = PhysicalAddress.Parse("02-00-00-00-00-0B");

    /// <summary>Parses hex, ignoring spaces.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static uint IPv4(string address) => BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(address).GetAddressBytes());

    public static byte[] IPv6(string address) => IPAddress.Parse(address).GetAddressBytes();

    /// <summary>RFC 1071 the slow way: concatenate, pad, add 16-bit words one by one, fold, complement.
    /// The oracle the fast code is compared with.</summary>
    public static ushort ReferenceChecksum(params byte[][] parts)
    {
        byte[] all = parts.SelectMany(p => p).ToArray();
        long sum = 0;
        for (int i = 0; i < all.Length; i += 2)
            sum += (all[i] << 8) | (i + 1 < all.Length ? all[i + 1] : 0);
        while (sum >> 16 != 0) sum = (sum >> 16) + (sum & 0xFFFF);
        return (ushort)~sum;
    }

    public static byte[] PseudoHeaderIPv4(uint source, uint destination, byte protocol, int length)
    {
        var b = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(b, source);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), destination);
        b[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(10), (ushort)length);
        return b;
    }

    public static byte[] PseudoHeaderIPv6(byte[] source, byte[] destination, byte nextHeader, int length)
    {
        var b = new byte[40];
        source.CopyTo(b, 0);
        destination.CopyTo(b, 16);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(32), (uint)length);
        b[39] = nextHeader;
        return b;
    }

    /// <summary>An Ethernet/IPv4/UDP frame built and checksummed by PacketDotNet.</summary>
    public static byte[] UdpOverIPv4(string source, string destination, ushort sourcePort, ushort destinationPort, byte[] payload)
    {
        var udp = new UdpPacket(sourcePort, destinationPort) { PayloadData = payload };
        var ip = new IPv4Packet(IPAddress.Parse(source), IPAddress.Parse(destination))
        {
            Protocol = ProtocolType.Udp,
            TimeToLive = 64,
            PayloadPacket = udp,
        };
        var ethernet = new EthernetPacket(MacA, MacB, EthernetType.IPv4) { PayloadPacket = ip };
        udp.UpdateCalculatedValues();
        ip.UpdateCalculatedValues();
        udp.UpdateUdpChecksum();
        ip.UpdateIPChecksum();
        return ethernet.Bytes;
    }

    /// <summary>An Ethernet/IPv6/UDP frame built and checksummed by PacketDotNet.</summary>
    public static byte[] UdpOverIPv6(string source, string destination, ushort sourcePort, ushort destinationPort, byte[] payload)
    {
        var udp = new UdpPacket(sourcePort, destinationPort) { PayloadData = payload };
        var ip = new IPv6Packet(IPAddress.Parse(source), IPAddress.Parse(destination))
        {
            NextHeader = ProtocolType.Udp,
            HopLimit = 64,
            PayloadPacket = udp,
        };
        var ethernet = new EthernetPacket(MacA, MacB, EthernetType.IPv6) { PayloadPacket = ip };
        udp.UpdateCalculatedValues();
        ip.UpdateCalculatedValues();
        udp.UpdateUdpChecksum();
        return ethernet.Bytes;
    }

    /// <summary>An Ethernet/IPv6/ICMPv6 frame whose checksum PacketDotNet computed.</summary>
    /// <remarks>The headers are laid out by hand (not by our writers), then PacketDotNet parses the
    /// frame and computes the checksum: an <see cref="IcmpV6Packet"/> assembled from parts
    /// re-serialises Neighbor Discovery bodies with their header twice.</remarks>
    public static byte[] Icmpv6OverIPv6(string source, string destination, byte type, byte code, byte[] body)
    {
        int length = 4 + body.Length;
        byte[] frame = new byte[14 + 40 + length];
        MacB.GetAddressBytes().CopyTo(frame, 0);
        MacA.GetAddressBytes().CopyTo(frame, 6);
        frame[12] = 0x86;
        frame[13] = 0xDD;
        frame[14] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)length);
        frame[20] = 58;
        frame[21] = 255;
        IPv6(source).CopyTo(frame, 22);
        IPv6(destination).CopyTo(frame, 38);
        frame[54] = type;
        frame[55] = code;
        body.CopyTo(frame, 58);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(56), PacketDotNetIcmpv6Checksum(frame));
        return frame;
    }

    /// <summary>The checksum PacketDotNet computes for the ICMPv6 message in <paramref name="frame"/>.</summary>
    public static ushort PacketDotNetIcmpv6Checksum(byte[] frame) =>
        Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<IcmpV6Packet>().CalculateIcmpChecksum();

    /// <summary>Whether PacketDotNet finds the ICMPv6 checksum in <paramref name="frame"/> valid.</summary>
    public static bool PacketDotNetIcmpv6Valid(byte[] frame) =>
        Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<IcmpV6Packet>().ValidIcmpChecksum;
}
