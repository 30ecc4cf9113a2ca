using PacketDotNet;
using VSwitch.Datapath.Frames;
using EtherType = VSwitch.Datapath.Frames.EtherType;
using MacAddress = VSwitch.Datapath.Frames.MacAddress;

namespace VSwitch.Tests.Frames;

public class EthernetWriterTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(13, false)]
    [InlineData(14, true)]
    [InlineData(1514, true)]
    public void TryCreate_BufferLength_FitsOnlyWholeHeader(int length, bool expected) =>
        Assert.Equal(expected, EthernetWriter.TryCreate(new byte[length], out _));

    [Fact]
    public void WriteHeader_Untagged_ReaderAndPacketDotNetAgree()
    {
        byte[] frame = new byte[60];
        Assert.True(EthernetWriter.TryCreate(frame, out var writer));
        Assert.Equal(14, writer.WriteHeader(MacAddress.Broadcast, 0x02000000000A, EtherType.Arp));

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(MacAddress.Broadcast, ethernet.Destination);
        Assert.Equal(0x02000000000AUL, ethernet.Source);
        Assert.Equal(EtherType.Arp, ethernet.EtherType);
        Assert.False(ethernet.IsTagged);

        var parsed = (EthernetPacket)Packet.ParsePacket(LinkLayers.Ethernet, frame);
        Assert.Equal("FFFFFFFFFFFF", parsed.DestinationHardwareAddress.ToString());
        Assert.Equal("02000000000A", parsed.SourceHardwareAddress.ToString());
        Assert.Equal(EthernetType.Arp, parsed.Type);
    }

    [Fact]
    public void TryWriteTaggedHeader_RoomForTag_WritesTagTheReadersAccept()
    {
        byte[] frame = new byte[64];
        Assert.True(EthernetWriter.TryCreate(frame, out var writer));
        // PCP 5, DEI 0, VLAN 100.
        Assert.True(writer.TryWriteTaggedHeader(0x02000000000B, 0x02000000000A, 0xA064, EtherType.IPv6, out int written));
        Assert.Equal(18, written);

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.True(ethernet.IsTagged);
        Assert.Equal(0xA064, ethernet.TagControl);
        Assert.Equal(100, ethernet.VlanId);
        Assert.Equal(EtherType.IPv6, ethernet.EtherType);
        Assert.Equal(0x02000000000BUL, ethernet.Destination);
        Assert.Equal(0x02000000000AUL, ethernet.Source);
        Assert.Equal(46, ethernet.Payload.Length);

        var tag = Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<Ieee8021QPacket>();
        Assert.NotNull(tag);
        Assert.Equal(100, (int)tag.VlanIdentifier);
        Assert.Equal(5, (int)tag.PriorityControlPoint);
        Assert.Equal(EthernetType.IPv6, tag.Type);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(17)]
    public void TryWriteTaggedHeader_NoRoomForTag_ReturnsFalseAndWritesNothing(int length)
    {
        byte[] frame = new byte[length];
        frame.AsSpan().Fill(0xEE);
        Assert.True(EthernetWriter.TryCreate(frame, out var writer));
        Assert.False(writer.TryWriteTaggedHeader(1, 2, 3, EtherType.IPv4, out int written));
        Assert.Equal(0, written);
        Assert.All(frame, b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void SetDestinationAndSource_ExistingHeader_RewritesOnlyAddresses()
    {
        byte[] frame = new byte[60];
        Assert.True(EthernetWriter.TryCreate(frame, out var writer));
        Assert.True(writer.TryWriteTaggedHeader(0x111111111111, 0x222222222222, 7, EtherType.IPv4, out _));
        writer.SetDestination(0x222222222222);
        writer.SetSource(0x333333333333);

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(0x222222222222UL, ethernet.Destination);
        Assert.Equal(0x333333333333UL, ethernet.Source);
        Assert.Equal(7, ethernet.VlanId);
        Assert.Equal(EtherType.IPv4, ethernet.EtherType);
    }
}
