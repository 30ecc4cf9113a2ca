using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;

namespace VSwitch.Tests.Frames;

public class Icmpv6MessageTests
{
    private const string EchoRequest = "8000 4d1b 1234000161626364";
    private const string MldReport = "8f00 7107 00000001 04000000 ff0200000000000000000001ff000001";

    [Theory]
    [InlineData(EchoRequest, 128, 0, 0x4d1b, "1234000161626364", "2001:db8::10", "2001:db8::20")]
    [InlineData(MldReport, 143, 0, 0x7107, "00000001 04000000 ff0200000000000000000001ff000001", "fe80::1", "ff02::16")]
    public void TryRead_KnownVectors_ReadsEveryFieldAndVerifies(string hex, int type, int code, int checksum,
        string body, string source, string destination)
    {
        byte[] bytes = Hex(hex);
        Assert.Equal(ParseResult.Ok, Icmpv6Message.TryRead(bytes, out var icmp));
        Assert.Equal(type, icmp.Type);
        Assert.Equal(code, icmp.Code);
        Assert.Equal(checksum, icmp.Checksum);
        Assert.Equal(Hex(body), icmp.Body.ToArray());
        Assert.Equal(bytes, icmp.Bytes.ToArray());
        Assert.True(icmp.HasValidChecksum(IPv6(source), IPv6(destination)));
    }

    [Fact]
    public void TryRead_HeaderOnly_ReturnsEmptyBody()
    {
        Assert.Equal(ParseResult.Ok, Icmpv6Message.TryRead(Hex("0104 0000"), out var icmp));
        Assert.Equal(1, icmp.Type);
        Assert.Equal(4, icmp.Code);
        Assert.Equal(0, icmp.Body.Length);
    }

    [Fact]
    public void TryRead_TruncatedAtEveryOffset_ReturnsTruncated()
    {
        byte[] bytes = Hex(EchoRequest);
        for (int length = 0; length < Icmpv6Message.HeaderLength; length++)
            Assert.Equal(ParseResult.Truncated, Icmpv6Message.TryRead(bytes.AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData(Icmpv6Message.EchoRequest, 0)]
    [InlineData(Icmpv6Message.EchoReply, 57)]
    [InlineData(Icmpv6Message.NeighborSolicitation, 20)]
    public void HasValidChecksum_PacketDotNetMessage_ReturnsTrue(byte type, int bodyLength)
    {
        byte[] body = new byte[bodyLength];
        new Random(bodyLength).NextBytes(body);
        byte[] frame = Icmpv6OverIPv6("fe80::1", "fe80::2", type, 0, body);
        Assert.True(PacketDotNetIcmpv6Valid(frame));

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(ethernet.Payload, out var ip));
        Assert.Equal(IpProtocol.IcmpV6, ip.NextHeader);
        Assert.Equal(ParseResult.Ok, Icmpv6Message.TryRead(ip.Payload, out var icmp));
        Assert.Equal(type, icmp.Type);
        Assert.Equal(body, icmp.Body.ToArray());
        Assert.True(icmp.HasValidChecksum(ip.Source, ip.Destination));
        Assert.False(icmp.HasValidChecksum(ip.Source, IPv6("fe80::3")));
    }

    [Fact]
    public void HasValidChecksum_AnyByteCorrupted_ReturnsFalse()
    {
        byte[] bytes = Hex(MldReport);
        byte[] source = IPv6("fe80::1"), destination = IPv6("ff02::16");
        for (int offset = 0; offset < bytes.Length; offset++)
        {
            byte[] corrupted = (byte[])bytes.Clone();
            corrupted[offset] ^= 0x01;
            Assert.Equal(ParseResult.Ok, Icmpv6Message.TryRead(corrupted, out var icmp));
            Assert.False(icmp.HasValidChecksum(source, destination), $"offset {offset}");
        }
    }

    [Fact]
    public void HasValidChecksum_TrailingZerosAdded_ReturnsFalse()
    {
        // The upper-layer length is part of the pseudo-header, so a longer message fails even
        // when the bytes added are zero and leave the plain sum unchanged.
        byte[] bytes = [.. Hex(EchoRequest), 0, 0];
        Assert.Equal(ParseResult.Ok, Icmpv6Message.TryRead(bytes, out var icmp));
        Assert.False(icmp.HasValidChecksum(IPv6("2001:db8::10"), IPv6("2001:db8::20")));
    }
}
