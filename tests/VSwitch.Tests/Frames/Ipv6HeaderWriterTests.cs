using PacketDotNet;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;
using EtherType = VSwitch.Datapath.Frames.EtherType;

namespace VSwitch.Tests.Frames;

public class Ipv6HeaderWriterTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(39, false)]
    [InlineData(40, true)]
    [InlineData(40 + 65535, true)]
    [InlineData(40 + 65536, false)]
    public void TryCreate_BufferLength_FitsHeaderAndPayloadLength(int length, bool expected) =>
        Assert.Equal(expected, Ipv6HeaderWriter.TryCreate(new byte[length], out _));

    [Fact]
    public void WriteHeader_EveryField_ReaderAndPacketDotNetAgree()
    {
        byte[] frame = new byte[14 + 40 + 8];
        Assert.True(EthernetWriter.TryCreate(frame, out var ethernet));
        int offset = ethernet.WriteHeader(0x333300000001, 0x02000000000A, EtherType.IPv6);
        Assert.True(Ipv6HeaderWriter.TryCreate(frame.AsSpan(offset), out var ip));
        Assert.Equal(40, ip.WriteHeader(IpProtocol.IcmpV6, IPv6("fe80::a"), IPv6("ff02::1"), hopLimit: 255,
            trafficClass: 0xb8, flowLabel: 0xABCDE));
        Assert.Equal(8, ip.Payload.Length);

        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(frame.AsSpan(offset), out var read));
        Assert.Equal(0xb8, read.TrafficClass);
        Assert.Equal(0xABCDEu, read.FlowLabel);
        Assert.Equal(8, read.PayloadLength);
        Assert.Equal(IpProtocol.IcmpV6, read.NextHeader);
        Assert.Equal(255, read.HopLimit);
        Assert.Equal(IPv6("fe80::a"), read.Source.ToArray());
        Assert.Equal(IPv6("ff02::1"), read.Destination.ToArray());

        var parsed = Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<IPv6Packet>();
        Assert.Equal(8, (int)parsed.PayloadLength);
        Assert.Equal(0xb8, (int)parsed.TrafficClass);
        Assert.Equal(0xABCDE, (long)parsed.FlowLabel);
        Assert.Equal(255, (int)parsed.HopLimit);
        Assert.Equal(ProtocolType.IcmpV6, parsed.NextHeader);
        Assert.Equal("fe80::a", parsed.SourceAddress.ToString());
        Assert.Equal("ff02::1", parsed.DestinationAddress.ToString());
    }

    [Fact]
    public void WriteHeader_FlowLabelWiderThan20Bits_KeepsVersionAndTrafficClass()
    {
        byte[] packet = new byte[40];
        Assert.True(Ipv6HeaderWriter.TryCreate(packet, out var ip));
        ip.WriteHeader(IpProtocol.Udp, IPv6("::1"), IPv6("::2"), hopLimit: 1, trafficClass: 0x01, flowLabel: 0xFFF12345);
        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(packet, out var read));
        Assert.Equal(0x01, read.TrafficClass);
        Assert.Equal(0x12345u, read.FlowLabel);
        Assert.Equal(0, read.Payload.Length);
    }

    [Fact]
    public void Setters_ExistingHeader_RewriteInPlace()
    {
        byte[] packet = new byte[48];
        Assert.True(Ipv6HeaderWriter.TryCreate(packet, out var ip));
        ip.WriteHeader(IpProtocol.Udp, IPv6("2001:db8::1"), IPv6("2001:db8::2"), hopLimit: 64);
        ip.SetHopLimit(63);
        ip.SetNextHeader(IpProtocol.IcmpV6);
        IPv6("2001:db8::99").CopyTo(ip.Destination);

        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(packet, out var read));
        Assert.Equal(63, read.HopLimit);
        Assert.Equal(IpProtocol.IcmpV6, read.NextHeader);
        Assert.Equal(IPv6("2001:db8::1"), read.Source.ToArray());
        Assert.Equal(IPv6("2001:db8::99"), read.Destination.ToArray());
    }
}
