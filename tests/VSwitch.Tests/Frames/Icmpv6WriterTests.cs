using System.Buffers.Binary;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;
using EtherType = VSwitch.Datapath.Frames.EtherType;

namespace VSwitch.Tests.Frames;

public class Icmpv6WriterTests
{
    private static readonly byte[] Source = IPv6("2001:db8::10"), Destination = IPv6("2001:db8::20");

    [Theory]
    [InlineData(0, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(65535, true)]
    [InlineData(65536, false)]
    public void TryCreate_BufferLength_FitsHeader(int length, bool expected) =>
        Assert.Equal(expected, Icmpv6Writer.TryCreate(new byte[length], out _));

    [Fact]
    public void WriteChecksum_KnownEchoRequest_MatchesVector()
    {
        byte[] message = new byte[12];
        Assert.True(Icmpv6Writer.TryCreate(message, out var writer));
        Assert.Equal(4, writer.WriteHeader(Icmpv6Message.EchoRequest, 0));
        Hex("1234000161626364").CopyTo(writer.Body);
        Assert.Equal(0x4d1b, writer.WriteChecksum(Source, Destination));
        Assert.Equal(Hex("8000 4d1b 1234000161626364"), message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(1000)]
    public void WriteChecksum_RandomBody_ReaderReferenceAndPacketDotNetAgree(int bodyLength)
    {
        byte[] body = new byte[bodyLength];
        new Random(bodyLength).NextBytes(body);
        byte[] frame = Build(Icmpv6Message.EchoReply, 0, body);

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(ethernet.Payload, out var ip));
        Assert.Equal(ParseResult.Ok, Icmpv6Message.TryRead(ip.Payload, out var icmp));
        Assert.True(icmp.HasValidChecksum(ip.Source, ip.Destination));

        byte[] zeroed = icmp.Bytes.ToArray();
        zeroed[2] = zeroed[3] = 0;
        Assert.Equal(ReferenceChecksum(PseudoHeaderIPv6(Source, Destination, 58, zeroed.Length), zeroed), icmp.Checksum);
        Assert.Equal(PacketDotNetIcmpv6Checksum(frame), icmp.Checksum);
        Assert.True(PacketDotNetIcmpv6Valid(frame));
    }

    [Fact]
    public void SetType_EchoRequestTurnedIntoReplyInPlace_StaysValid()
    {
        byte[] frame = Build(Icmpv6Message.EchoRequest, 0, Hex("abcd0001 0102030405"));
        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out _));
        Span<byte> packet = frame.AsSpan(EthernetFrame.HeaderLength);
        Assert.True(Ipv6HeaderWriter.TryCreate(packet, out var ip));
        Assert.True(Icmpv6Writer.TryCreate(ip.Payload, out var icmp));

        // Swapping the addresses leaves the pseudo-header sum as it was; only the type changes.
        Span<byte> swap = stackalloc byte[16];
        ip.Source.CopyTo(swap);
        ip.Destination.CopyTo(ip.Source);
        swap.CopyTo(ip.Destination);
        icmp.SetType(Icmpv6Message.EchoReply);

        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(packet, out var read));
        Assert.Equal(ParseResult.Ok, Icmpv6Message.TryRead(read.Payload, out var reply));
        Assert.Equal(Icmpv6Message.EchoReply, reply.Type);
        Assert.Equal(Destination, read.Source.ToArray());
        Assert.True(reply.HasValidChecksum(read.Source, read.Destination));
        Assert.Equal(PacketDotNetIcmpv6Checksum(frame), reply.Checksum);
        Assert.True(PacketDotNetIcmpv6Valid(frame));
    }

    [Fact]
    public void SetTypeAndCode_RandomChanges_KeepChecksumEqualToFullRecompute()
    {
        var random = new Random(4443);
        byte[] message = new byte[4 + 33];
        random.NextBytes(message);
        Assert.True(Icmpv6Writer.TryCreate(message, out var writer));
        writer.WriteHeader(1, 0);
        writer.WriteChecksum(Source, Destination);
        for (int round = 0; round < 5000; round++)
        {
            if (random.Next(2) == 0) writer.SetType((byte)random.Next(256));
            else writer.SetCode((byte)random.Next(256));

            ushort incremental = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2));
            Assert.Equal(ParseResult.Ok, Icmpv6Message.TryRead(message, out var icmp));
            Assert.True(icmp.HasValidChecksum(Source, Destination), $"round {round}");
            Assert.Equal(writer.WriteChecksum(Source, Destination), incremental);
        }
    }

    private static byte[] Build(byte type, byte code, byte[] body)
    {
        byte[] frame = new byte[14 + 40 + 4 + body.Length];
        Assert.True(EthernetWriter.TryCreate(frame, out var ethernet));
        int offset = ethernet.WriteHeader(0x02000000000B, 0x02000000000A, EtherType.IPv6);
        Assert.True(Ipv6HeaderWriter.TryCreate(frame.AsSpan(offset), out var ip));
        ip.WriteHeader(IpProtocol.IcmpV6, Source, Destination, hopLimit: 255);
        Assert.True(Icmpv6Writer.TryCreate(ip.Payload, out var icmp));
        icmp.WriteHeader(type, code);
        body.CopyTo(icmp.Body);
        icmp.WriteChecksum(Source, Destination);
        return frame;
    }
}
