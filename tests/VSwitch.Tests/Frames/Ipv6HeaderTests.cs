using PacketDotNet;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;

namespace VSwitch.Tests.Frames;

public class Ipv6HeaderTests
{
    private const string Udp =
        "6000 0000 000c 11 40 20010db8000000000000000000000001 20010db8000000000000000000000002 14e90035000cb07270696e67";

    // An MLDv2 report behind a Hop-by-Hop header carrying Router Alert (RFC 3810).
    private const string MldWithHopByHop =
        "6000 0000 0024 00 01 fe800000000000000000000000000001 ff020000000000000000000000000016 " +
        "3a00050200000100 " +
        "8f00710700000001 04000000 ff0200000000000000000001ff000001";

    [Theory]
    [InlineData(Udp, 0, 0, 12, 17, false, 64, "2001:db8::1", "2001:db8::2", "", "14e90035000cb07270696e67")]
    [InlineData(MldWithHopByHop, 0, 0, 36, 58, true, 1, "fe80::1", "ff02::16", "3a00050200000100",
        "8f00710700000001 04000000 ff0200000000000000000001ff000001")]
    // An echo request with traffic class 0xb8 (EF) and a flow label.
    [InlineData("6b81 2345 000c 3a ff 20010db8000000000000000000000010 20010db8000000000000000000000020 80004d1b1234000161626364",
        0xb8, 0x12345, 12, 58, false, 255, "2001:db8::10", "2001:db8::20", "", "80004d1b1234000161626364")]
    public void TryRead_KnownVectors_ReadsEveryField(string hex, int trafficClass, int flowLabel, int payloadLength,
        int nextHeader, bool hasHopByHop, int hopLimit, string source, string destination, string hopByHop, string payload)
    {
        byte[] bytes = Hex(hex);
        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(bytes, out var ip));
        Assert.Equal(trafficClass, ip.TrafficClass);
        Assert.Equal((uint)flowLabel, ip.FlowLabel);
        Assert.Equal(payloadLength, ip.PayloadLength);
        Assert.Equal(nextHeader, ip.NextHeader);
        Assert.Equal(hasHopByHop, ip.HasHopByHopOptions);
        Assert.Equal(hopLimit, ip.HopLimit);
        Assert.Equal(IPv6(source), ip.Source.ToArray());
        Assert.Equal(IPv6(destination), ip.Destination.ToArray());
        Assert.Equal(Hex(hopByHop), ip.HopByHopOptions.ToArray());
        Assert.Equal(Hex(payload), ip.Payload.ToArray());
        Assert.Equal(Ipv6Header.HeaderLength + payloadLength, ip.Bytes.Length);
    }

    [Fact]
    public void TryRead_PacketDotNetUdp_ReadsSameFields()
    {
        byte[] frame = UdpOverIPv6("2001:db8::a", "2001:db8::b", 5353, 5353, Hex("00112233445566"));
        var expected = Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<IPv6Packet>();

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(ethernet.Payload, out var ip));
        Assert.Equal((int)expected.PayloadLength, ip.PayloadLength);
        Assert.Equal((int)expected.NextHeader, ip.NextHeader);
        Assert.Equal((int)expected.HopLimit, ip.HopLimit);
        Assert.Equal((int)expected.TrafficClass, ip.TrafficClass);
        Assert.Equal((long)expected.FlowLabel, (long)ip.FlowLabel);
        Assert.Equal(expected.SourceAddress.GetAddressBytes(), ip.Source.ToArray());
        Assert.Equal(expected.DestinationAddress.GetAddressBytes(), ip.Destination.ToArray());
        Assert.Equal(expected.PayloadPacket.Bytes, ip.Payload.ToArray());
    }

    [Theory]
    [InlineData(Udp)]
    [InlineData(MldWithHopByHop)]
    public void TryRead_TruncatedAtEveryOffset_ReturnsTruncated(string hex)
    {
        byte[] bytes = Hex(hex);
        for (int length = 0; length < bytes.Length; length++)
            Assert.Equal(ParseResult.Truncated, Ipv6Header.TryRead(bytes.AsSpan(0, length), out _));
    }

    [Fact]
    public void TryRead_EthernetPaddingAfterPayloadLength_IsNotPayload()
    {
        byte[] bytes = [.. Hex(Udp), .. new byte[6]];
        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(bytes, out var ip));
        Assert.Equal(12, ip.Payload.Length);
        Assert.Equal(52, ip.Bytes.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(15)]
    public void TryRead_VersionNotSix_ReturnsUnsupported(int version)
    {
        byte[] bytes = Hex(Udp);
        bytes[0] = (byte)(version << 4);
        Assert.Equal(ParseResult.Unsupported, Ipv6Header.TryRead(bytes, out _));
    }

    [Theory]
    [InlineData(13)]
    [InlineData(1500)]
    [InlineData(65535)]
    public void TryRead_PayloadLengthBeyondBuffer_ReturnsTruncated(int payloadLength)
    {
        byte[] bytes = Hex(Udp);
        bytes[4] = (byte)(payloadLength >> 8);
        bytes[5] = (byte)payloadLength;
        Assert.Equal(ParseResult.Truncated, Ipv6Header.TryRead(bytes, out var ip));
        Assert.Equal(0, ip.Bytes.Length);
    }

    [Theory]
    [InlineData(4)]     // 40 bytes of options in a 36-byte payload
    [InlineData(255)]   // 2048 bytes
    public void TryRead_HopByHopRunsPastPayloadLength_ReturnsMalformed(int headerExtensionLength)
    {
        byte[] bytes = Hex(MldWithHopByHop);
        bytes[41] = (byte)headerExtensionLength;
        Assert.Equal(ParseResult.Malformed, Ipv6Header.TryRead(bytes, out _));
    }

    [Fact]
    public void TryRead_HopByHopFillsWholePayload_ReturnsEmptyPayload()
    {
        byte[] bytes = Hex(MldWithHopByHop);
        bytes[41] = 3; // 32 bytes: still inside the 36-byte payload
        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(bytes, out var ip));
        Assert.Equal(32, ip.HopByHopOptions.Length);
        Assert.Equal(4, ip.Payload.Length);
    }

    [Fact]
    public void TryRead_HopByHopHeaderCutByPayloadLength_ReturnsMalformed()
    {
        // PayloadLength 1: not even the Hop-by-Hop length byte is inside the packet.
        byte[] bytes = Hex(MldWithHopByHop);
        bytes[5] = 1;
        Assert.Equal(ParseResult.Malformed, Ipv6Header.TryRead(bytes, out _));
    }

    [Fact]
    public void TryRead_SecondHopByHopHeader_ReturnsMalformed()
    {
        byte[] bytes = Hex(MldWithHopByHop);
        bytes[40] = IpProtocol.HopByHop;
        Assert.Equal(ParseResult.Malformed, Ipv6Header.TryRead(bytes, out _));
    }

    [Fact]
    public void TryRead_JumbogramAnnouncement_ReturnsUnsupported()
    {
        byte[] bytes = Hex(MldWithHopByHop);
        bytes[4] = 0;
        bytes[5] = 0;
        Assert.Equal(ParseResult.Unsupported, Ipv6Header.TryRead(bytes, out _));
    }
}
