using PacketDotNet;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;

namespace VSwitch.Tests.Frames;

/// <summary>The headers every UDP reply gets, and the checks every UDP query passes, in one place for DNS and DHCP.</summary>
public class UdpReplyWriterTests
{
    private static readonly uint Source4 = IPv4("198.18.0.53"), Destination4 = IPv4("198.18.0.2");
    private static readonly byte[] Source6 = IPv6("2001:db8::53"), Destination6 = IPv6("2001:db8::2");

    [Fact]
    public void TryWriteIPv4_PayloadInPlace_PacketDotNetReadsIt()
    {
        var frame = new byte[UdpReplyWriter.IPv4PayloadOffset + 100];
        "abc"u8.CopyTo(frame.AsSpan(UdpReplyWriter.IPv4PayloadOffset));

        Assert.True(UdpReplyWriter.TryWriteIPv4(frame, 0x02_00_00_00_00_02, 0x02_00_00_00_00_53, Source4, Destination4, 53, 40000, 3, out int length));

        var parsed = Packet.ParsePacket(LinkLayers.Ethernet, frame[..length]);
        var ip = parsed.Extract<IPv4Packet>();
        var udp = parsed.Extract<PacketDotNet.UdpPacket>();
        Assert.True(ip.ValidChecksum);
        Assert.True(udp.ValidUdpChecksum);
        Assert.Equal("198.18.0.53", ip.SourceAddress.ToString());
        Assert.Equal(53, udp.SourcePort);
        Assert.Equal(40000, udp.DestinationPort);
        Assert.Equal("abc"u8.ToArray(), udp.PayloadData);
        Assert.Equal("020000000002", ((EthernetPacket)parsed).DestinationHardwareAddress.ToString());
    }

    [Fact]
    public void TryWriteIPv6_PayloadInPlace_PacketDotNetReadsIt()
    {
        var frame = new byte[UdpReplyWriter.IPv6PayloadOffset + 10];

        Assert.True(UdpReplyWriter.TryWriteIPv6(frame, 2, 0x53, Source6, Destination6, 53, 5353, 10, out int length));

        Assert.Equal(frame.Length, length);
        var parsed = Packet.ParsePacket(LinkLayers.Ethernet, frame);
        Assert.True(parsed.Extract<PacketDotNet.UdpPacket>().ValidUdpChecksum);
        Assert.Equal("2001:db8::2", parsed.Extract<IPv6Packet>().DestinationAddress.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryWrite_FrameTooShort_FalseAndNothingWritten(bool v4)
    {
        var frame = new byte[(v4 ? UdpReplyWriter.IPv4PayloadOffset : UdpReplyWriter.IPv6PayloadOffset) + 9];

        bool written = v4
            ? UdpReplyWriter.TryWriteIPv4(frame, 2, 0x53, Source4, Destination4, 53, 1, 10, out _)
            : UdpReplyWriter.TryWriteIPv6(frame, 2, 0x53, Source6, Destination6, 53, 1, 10, out _);

        Assert.False(written);
        Assert.All(frame, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(false, true)]   // checksums as written
    [InlineData(true, false)]   // UDP checksum broken
    [InlineData(true, true)]    // broken, but the port says the checksum is not computed yet
    public void UdpOverIp_UdpChecksum_CheckedUnlessPartial(bool corrupt, bool partial)
    {
        var frame = new byte[UdpReplyWriter.IPv4PayloadOffset + 4];
        UdpReplyWriter.TryWriteIPv4(frame, 2, 0x53, Source4, Destination4, 53, 40000, 4, out _);
        if (corrupt) frame[^1] ^= 0xFF;

        Ipv4Header.TryRead(frame.AsSpan(EthernetFrame.HeaderLength), out Ipv4Header ip);
        bool ok = UdpOverIp.TryRead(ip, partial, out UdpOverIp udp);

        Assert.Equal(!corrupt || partial, ok);
        if (ok) Assert.Equal(40000, udp.Udp.DestinationPort);
    }

    [Fact]
    public void UdpOverIp_IPv4HeaderChecksumBroken_Refused()
    {
        var frame = new byte[UdpReplyWriter.IPv4PayloadOffset];
        UdpReplyWriter.TryWriteIPv4(frame, 2, 0x53, Source4, Destination4, 53, 40000, 0, out _);
        frame[EthernetFrame.HeaderLength + 8] ^= 1;   // the TTL, covered by the header checksum

        Ipv4Header.TryRead(frame.AsSpan(EthernetFrame.HeaderLength), out Ipv4Header ip);
        Assert.False(UdpOverIp.TryRead(ip, checksumPartial: true, out _));
    }
}
