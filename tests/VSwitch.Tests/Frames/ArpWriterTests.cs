using System.Net;
using PacketDotNet.Utils;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;
using Pdn = PacketDotNet;

namespace VSwitch.Tests.Frames;

public class ArpWriterTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(27, false)]
    [InlineData(28, true)]
    [InlineData(46, true)]
    public void TryCreate_BufferLength_FitsOnlyWholePacket(int length, bool expected) =>
        Assert.Equal(expected, ArpWriter.TryCreate(new byte[length], out _));

    [Fact]
    public void Write_OverGarbage_ReaderAndPacketDotNetAgree()
    {
        byte[] packet = new byte[28];
        packet.AsSpan().Fill(0xA5);
        Assert.True(ArpWriter.TryCreate(packet, out var writer));
        Assert.Equal(28, writer.Write(ArpPacket.Request, 0x02000000000A, IPv4("198.18.0.1"), 0, IPv4("198.18.0.2")));

        Assert.Equal(ParseResult.Ok, ArpPacket.TryRead(packet, out var arp));
        Assert.Equal(ArpPacket.Request, arp.Operation);
        Assert.Equal(0x02000000000AUL, arp.SenderMac);
        Assert.Equal(IPv4("198.18.0.1"), arp.SenderIPv4);
        Assert.Equal(0UL, arp.TargetMac);
        Assert.Equal(IPv4("198.18.0.2"), arp.TargetIPv4);

        var parsed = new Pdn.ArpPacket(new ByteArraySegment(packet));
        Assert.Equal(Pdn.ArpOperation.Request, parsed.Operation);
        Assert.Equal(MacA, parsed.SenderHardwareAddress);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), parsed.SenderProtocolAddress);
        Assert.Equal("000000000000", parsed.TargetHardwareAddress.ToString());
        Assert.Equal(IPAddress.Parse("198.18.0.2"), parsed.TargetProtocolAddress);
    }

    [Fact]
    public void Write_ReplyOverItsRequest_AnswersInPlace()
    {
        // Who has 192.168.1.1? Tell 192.168.1.100 (00:11:22:33:44:55).
        byte[] packet = Hex("0001 0800 06 04 0001 001122334455 c0a80164 000000000000 c0a80101");
        Assert.Equal(ParseResult.Ok, ArpPacket.TryRead(packet, out var request));
        Assert.True(ArpWriter.TryCreate(packet, out var writer));
        writer.Write(ArpPacket.Reply, 0xAABBCCDDEEFF, request.TargetIPv4, request.SenderMac, request.SenderIPv4);

        Assert.Equal(Hex("0001 0800 06 04 0002 aabbccddeeff c0a80101 001122334455 c0a80164"), packet);
    }
}
