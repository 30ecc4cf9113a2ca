using PacketDotNet;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;

namespace VSwitch.Tests.Frames;

public class UdpDatagramTests
{
    // DHCP-ish ports, "hello!", checksummed over 192.168.0.1 -> 192.168.0.255.
    private const string OverIPv4 = "0044 0043 000e 3907 68656c6c6f21";
    // "ping" to port 53, checksummed over 2001:db8::1 -> 2001:db8::2.
    private const string OverIPv6 = "14e9 0035 000c b072 70696e67";

    [Theory]
    [InlineData(OverIPv4, 68, 67, 14, 0x3907, "68656c6c6f21")]
    [InlineData(OverIPv6, 5353, 53, 12, 0xb072, "70696e67")]
    // No checksum; the three bytes after Length are not part of the datagram.
    [InlineData("0035 0035 0009 0000 ff 000000", 53, 53, 9, 0, "ff")]
    [InlineData("ffff 0000 0008 ffff", 65535, 0, 8, 0xffff, "")]
    public void TryRead_KnownVectors_ReadsEveryField(string hex, int sourcePort, int destinationPort, int length,
        int checksum, string payload)
    {
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(Hex(hex), out var udp));
        Assert.Equal(sourcePort, udp.SourcePort);
        Assert.Equal(destinationPort, udp.DestinationPort);
        Assert.Equal(length, udp.Length);
        Assert.Equal(checksum, udp.Checksum);
        Assert.Equal(Hex(payload), udp.Payload.ToArray());
        Assert.Equal(length, udp.Bytes.Length);
    }

    [Theory]
    [InlineData(OverIPv4)]
    [InlineData(OverIPv6)]
    public void TryRead_TruncatedAtEveryOffset_ReturnsTruncated(string hex)
    {
        byte[] bytes = Hex(hex);
        for (int length = 0; length < bytes.Length; length++)
            Assert.Equal(ParseResult.Truncated, UdpDatagram.TryRead(bytes.AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void TryRead_LengthBelowHeader_ReturnsMalformed(int length)
    {
        byte[] bytes = Hex(OverIPv4);
        bytes[4] = 0;
        bytes[5] = (byte)length;
        Assert.Equal(ParseResult.Malformed, UdpDatagram.TryRead(bytes, out var udp));
        Assert.Equal(0, udp.Bytes.Length);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(1480)]
    [InlineData(65535)]
    public void TryRead_LengthBeyondBuffer_ReturnsTruncated(int length)
    {
        byte[] bytes = Hex(OverIPv4);
        bytes[4] = (byte)(length >> 8);
        bytes[5] = (byte)length;
        Assert.Equal(ParseResult.Truncated, UdpDatagram.TryRead(bytes, out _));
    }

    [Fact]
    public void HasValidChecksumIPv4_KnownVector_ReturnsTrue()
    {
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(Hex(OverIPv4), out var udp));
        Assert.True(udp.HasValidChecksumIPv4(IPv4("192.168.0.1"), IPv4("192.168.0.255")));
        Assert.False(udp.HasValidChecksumIPv4(IPv4("192.168.0.2"), IPv4("192.168.0.255")));
    }

    [Fact]
    public void HasValidChecksumIPv6_KnownVector_ReturnsTrue()
    {
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(Hex(OverIPv6), out var udp));
        Assert.True(udp.HasValidChecksumIPv6(IPv6("2001:db8::1"), IPv6("2001:db8::2")));
        Assert.False(udp.HasValidChecksumIPv6(IPv6("2001:db8::1"), IPv6("2001:db8::3")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1001)]
    public void HasValidChecksumIPv4_PacketDotNetDatagram_ReturnsTrue(int payloadLength)
    {
        byte[] frame = UdpOverIPv4("198.18.0.1", "198.18.255.254", 40000, 53, Payload(payloadLength));
        Assert.True(Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<UdpPacket>().ValidUdpChecksum);

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(ethernet.Payload, out var ip));
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(ip.Payload, out var udp));
        Assert.True(udp.HasValidChecksumIPv4(ip.Source, ip.Destination));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1001)]
    public void HasValidChecksumIPv6_PacketDotNetDatagram_ReturnsTrue(int payloadLength)
    {
        byte[] frame = UdpOverIPv6("2001:db8::1:a", "ff02::fb", 5353, 5353, Payload(payloadLength));
        Assert.True(Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<UdpPacket>().ValidUdpChecksum);

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(ethernet.Payload, out var ip));
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(ip.Payload, out var udp));
        Assert.True(udp.HasValidChecksumIPv6(ip.Source, ip.Destination));
    }

    [Fact]
    public void HasValidChecksumIPv4_AnyByteCorrupted_ReturnsFalse()
    {
        byte[] frame = UdpOverIPv4("198.18.0.1", "198.18.0.2", 1234, 5678, Payload(33));
        byte[] datagram = frame.AsSpan(EthernetFrame.HeaderLength + Ipv4Header.MinimumHeaderLength).ToArray();
        uint source = IPv4("198.18.0.1"), destination = IPv4("198.18.0.2");
        for (int offset = 0; offset < datagram.Length; offset++)
        {
            if (offset is 4 or 5) continue; // a Length that lies is covered by the TryRead tests
            byte[] corrupted = (byte[])datagram.Clone();
            corrupted[offset] ^= 0xFF;
            Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(corrupted, out var udp));
            if (udp.Checksum == 0) continue; // flipped into "no checksum"
            Assert.False(udp.HasValidChecksumIPv4(source, destination), $"offset {offset}");
        }
    }

    [Fact]
    public void HasValidChecksumIPv6_AnyByteCorrupted_ReturnsFalse()
    {
        byte[] frame = UdpOverIPv6("2001:db8::1", "2001:db8::2", 1234, 5678, Payload(33));
        byte[] datagram = frame.AsSpan(EthernetFrame.HeaderLength + Ipv6Header.HeaderLength).ToArray();
        byte[] source = IPv6("2001:db8::1"), destination = IPv6("2001:db8::2");
        for (int offset = 0; offset < datagram.Length; offset++)
        {
            if (offset is 4 or 5) continue;
            byte[] corrupted = (byte[])datagram.Clone();
            corrupted[offset] ^= 0xFF;
            Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(corrupted, out var udp));
            Assert.False(udp.HasValidChecksumIPv6(source, destination), $"offset {offset}");
        }
    }

    [Fact]
    public void HasValidChecksumIPv4_ZeroChecksum_MeansNoneAndReturnsTrue()
    {
        byte[] bytes = Hex(OverIPv4);
        bytes[6] = 0;
        bytes[7] = 0;
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(bytes, out var udp));
        Assert.True(udp.HasValidChecksumIPv4(IPv4("10.9.8.7"), IPv4("10.9.8.6")));
    }

    [Fact]
    public void HasValidChecksumIPv6_ZeroChecksum_ReturnsFalse()
    {
        byte[] bytes = Hex(OverIPv6);
        bytes[6] = 0;
        bytes[7] = 0;
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(bytes, out var udp));
        Assert.False(udp.HasValidChecksumIPv6(IPv6("2001:db8::1"), IPv6("2001:db8::2")));
    }

    private static byte[] Payload(int length)
    {
        byte[] payload = new byte[length];
        new Random(length).NextBytes(payload);
        return payload;
    }
}
