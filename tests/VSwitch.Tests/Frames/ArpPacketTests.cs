using System.Net;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;
using Pdn = PacketDotNet;

namespace VSwitch.Tests.Frames;

public class ArpPacketTests
{
    private const string Request = "0001 0800 06 04 0001 001122334455 c0a80164 000000000000 c0a80101";

    [Theory]
    // Who has 192.168.1.1? Tell 192.168.1.100.
    [InlineData(Request, 1, 0x001122334455UL, "192.168.1.100", 0x000000000000UL, "192.168.1.1")]
    // 192.168.1.1 is at aa:bb:cc:dd:ee:ff.
    [InlineData("0001 0800 06 04 0002 aabbccddeeff c0a80101 001122334455 c0a80164",
        2, 0xAABBCCDDEEFFUL, "192.168.1.1", 0x001122334455UL, "192.168.1.100")]
    // A gratuitous request (sender and target address equal), followed by Ethernet padding.
    [InlineData("0001 0800 06 04 0001 020000000001 0a000005 ffffffffffff 0a000005 000000000000000000000000000000000000",
        1, 0x020000000001UL, "10.0.0.5", 0xFFFFFFFFFFFFUL, "10.0.0.5")]
    public void TryRead_KnownVectors_ReadsEveryField(string hex, int operation, ulong senderMac, string senderIp,
        ulong targetMac, string targetIp)
    {
        byte[] bytes = Hex(hex);
        Assert.Equal(ParseResult.Ok, ArpPacket.TryRead(bytes, out var arp));
        Assert.Equal((ushort)operation, arp.Operation);
        Assert.Equal(senderMac, arp.SenderMac);
        Assert.Equal(IPv4(senderIp), arp.SenderIPv4);
        Assert.Equal(targetMac, arp.TargetMac);
        Assert.Equal(IPv4(targetIp), arp.TargetIPv4);
        Assert.Equal(ArpPacket.Length, arp.Bytes.Length);
    }

    [Fact]
    public void TryRead_PacketDotNetReply_ReadsSameFields()
    {
        var built = new Pdn.ArpPacket(Pdn.ArpOperation.Response,
            MacB, IPAddress.Parse("198.18.0.2"), MacA, IPAddress.Parse("198.18.0.1"));

        Assert.Equal(ParseResult.Ok, ArpPacket.TryRead(built.Bytes, out var arp));
        Assert.Equal(ArpPacket.Reply, arp.Operation);
        Assert.Equal(0x02000000000AUL, arp.SenderMac);
        Assert.Equal(IPv4("198.18.0.1"), arp.SenderIPv4);
        Assert.Equal(0x02000000000BUL, arp.TargetMac);
        Assert.Equal(IPv4("198.18.0.2"), arp.TargetIPv4);
    }

    [Fact]
    public void TryRead_TruncatedAtEveryOffset_ReturnsTruncated()
    {
        byte[] bytes = Hex(Request);
        for (int length = 0; length < bytes.Length; length++)
            Assert.Equal(ParseResult.Truncated, ArpPacket.TryRead(bytes.AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData(1, 6)]      // hardware type 6 (IEEE 802)
    [InlineData(0, 1)]      // hardware type 256
    [InlineData(2, 0x86)]   // protocol type 0x8600
    [InlineData(3, 0x06)]   // protocol type 0x0806
    [InlineData(4, 8)]      // hardware length 8
    [InlineData(4, 0)]
    [InlineData(5, 16)]     // protocol length 16
    [InlineData(5, 0)]
    public void TryRead_OtherHardwareOrProtocol_ReturnsUnsupported(int offset, int value)
    {
        byte[] bytes = Hex(Request);
        bytes[offset] = (byte)value;
        Assert.Equal(ParseResult.Unsupported, ArpPacket.TryRead(bytes, out var arp));
        Assert.Equal(0, arp.Bytes.Length);
    }
}
