using PacketDotNet;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;

namespace VSwitch.Tests.Frames;

public class Ipv4HeaderTests
{
    private const string Udp = "4500 001c 1c46 4000 4011 0a89 0a000001 0a000002 303904d200080000";
    private const string WithOptions = "46c0 0020 0000 4000 0102 32a4 c0a8010a efc00001 94040000 1600fa04efc00001";

    [Theory]
    // UDP, DF, no options.
    [InlineData(Udp, 20, 28, 0x00, 0x1c46, 2, true, false, 0, false, 64, 17, 0x0a89,
        "10.0.0.1", "10.0.0.2", "", "303904d200080000")]
    // IGMP with a Router Alert option (IHL 6), TTL 1, DSCP CS6.
    [InlineData(WithOptions, 24, 32, 0xc0, 0, 2, true, false, 0, false, 1, 2, 0x32a4,
        "192.168.1.10", "239.192.0.1", "94040000", "1600fa04efc00001")]
    // A first fragment: MF set, offset 0.
    [InlineData("4500 0024 abcd 2000 8011 16d8 ac100001 ac100002 000102030405060708090a0b0c0d0e0f",
        20, 36, 0x00, 0xabcd, 1, false, true, 0, true, 128, 17, 0x16d8,
        "172.16.0.1", "172.16.0.2", "", "000102030405060708090a0b0c0d0e0f")]
    // A last fragment: offset 185 (1480 bytes), MF clear.
    [InlineData("4510 0018 abcd 00b9 ff01 0f4f ffffffff 00000000 deadbeef",
        20, 24, 0x10, 0xabcd, 0, false, false, 185, true, 255, 1, 0x0f4f,
        "255.255.255.255", "0.0.0.0", "", "deadbeef")]
    public void TryRead_KnownVectors_ReadsEveryField(string hex, int headerLength, int totalLength, int tos,
        int identification, int flags, bool dontFragment, bool moreFragments, int fragmentOffset, bool isFragment,
        int ttl, int protocol, int checksum, string source, string destination, string options, string payload)
    {
        byte[] bytes = Hex(hex);
        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(bytes, out var ip));
        Assert.Equal(headerLength, ip.HeaderLength);
        Assert.Equal(totalLength, ip.TotalLength);
        Assert.Equal(tos, ip.TypeOfService);
        Assert.Equal(identification, ip.Identification);
        Assert.Equal(flags, ip.Flags);
        Assert.Equal(dontFragment, ip.DontFragment);
        Assert.Equal(moreFragments, ip.MoreFragments);
        Assert.Equal(fragmentOffset, ip.FragmentOffset);
        Assert.Equal(isFragment, ip.IsFragment);
        Assert.Equal(ttl, ip.Ttl);
        Assert.Equal(protocol, ip.Protocol);
        Assert.Equal(checksum, ip.HeaderChecksum);
        Assert.Equal(IPv4(source), ip.Source);
        Assert.Equal(IPv4(destination), ip.Destination);
        Assert.Equal(Hex(options), ip.Options.ToArray());
        Assert.Equal(Hex(payload), ip.Payload.ToArray());
        Assert.Equal(bytes.AsSpan(0, headerLength).ToArray(), ip.Header.ToArray());
        Assert.Equal(totalLength, ip.Bytes.Length);
        Assert.True(ip.HasValidChecksum());
    }

    [Fact]
    public void TryRead_PacketDotNetUdp_ReadsSameFields()
    {
        byte[] frame = UdpOverIPv4("198.18.0.1", "198.18.0.2", 1234, 53, Hex("0102030405"));
        var expected = Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<IPv4Packet>();

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(ethernet.Payload, out var ip));
        Assert.Equal(expected.TotalLength, ip.TotalLength);
        Assert.Equal(expected.HeaderLength * 4, ip.HeaderLength);
        Assert.Equal((int)expected.Id, ip.Identification);
        Assert.Equal((int)expected.TimeToLive, ip.Ttl);
        Assert.Equal((int)expected.Protocol, ip.Protocol);
        Assert.Equal((int)expected.Checksum, ip.HeaderChecksum);
        Assert.Equal(IPv4(expected.SourceAddress.ToString()), ip.Source);
        Assert.Equal(IPv4(expected.DestinationAddress.ToString()), ip.Destination);
        Assert.Equal(expected.PayloadPacket.Bytes, ip.Payload.ToArray());
        Assert.True(expected.ValidChecksum);
        Assert.True(ip.HasValidChecksum());
    }

    [Theory]
    [InlineData(Udp)]
    [InlineData(WithOptions)]
    public void TryRead_TruncatedAtEveryOffset_ReturnsTruncated(string hex)
    {
        byte[] bytes = Hex(hex);
        for (int length = 0; length < bytes.Length; length++)
            Assert.Equal(ParseResult.Truncated, Ipv4Header.TryRead(bytes.AsSpan(0, length), out _));
    }

    [Fact]
    public void TryRead_EthernetPaddingAfterTotalLength_IsNotPayload()
    {
        byte[] bytes = [.. Hex(Udp), .. new byte[18]];
        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(bytes, out var ip));
        Assert.Equal(28, ip.Bytes.Length);
        Assert.Equal(8, ip.Payload.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void TryRead_IhlBelowFive_ReturnsMalformed(int ihl)
    {
        byte[] bytes = Hex(Udp);
        bytes[0] = (byte)(0x40 | ihl);
        Assert.Equal(ParseResult.Malformed, Ipv4Header.TryRead(bytes, out _));
    }

    [Fact]
    public void TryRead_IhlBeyondBuffer_ReturnsTruncated()
    {
        byte[] bytes = Hex(Udp);
        bytes[0] = 0x4F; // 60-byte header in a 28-byte buffer
        Assert.Equal(ParseResult.Truncated, Ipv4Header.TryRead(bytes, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(15)]
    public void TryRead_VersionNotFour_ReturnsUnsupported(int version)
    {
        byte[] bytes = Hex(Udp);
        bytes[0] = (byte)(version << 4 | 5);
        Assert.Equal(ParseResult.Unsupported, Ipv4Header.TryRead(bytes, out _));
    }

    [Theory]
    [InlineData(Udp, 0)]
    [InlineData(Udp, 19)]
    [InlineData(WithOptions, 20)]
    [InlineData(WithOptions, 23)]
    public void TryRead_TotalLengthBelowHeaderLength_ReturnsMalformed(string hex, int totalLength)
    {
        byte[] bytes = Hex(hex);
        bytes[2] = (byte)(totalLength >> 8);
        bytes[3] = (byte)totalLength;
        Assert.Equal(ParseResult.Malformed, Ipv4Header.TryRead(bytes, out var ip));
        Assert.Equal(0, ip.Bytes.Length);
    }

    [Theory]
    [InlineData(29)]
    [InlineData(1500)]
    [InlineData(65535)]
    public void TryRead_TotalLengthBeyondBuffer_ReturnsTruncated(int totalLength)
    {
        byte[] bytes = Hex(Udp);
        bytes[2] = (byte)(totalLength >> 8);
        bytes[3] = (byte)totalLength;
        Assert.Equal(ParseResult.Truncated, Ipv4Header.TryRead(bytes, out _));
    }

    [Fact]
    public void TryRead_TotalLengthShorterThanBuffer_CutsPayload()
    {
        byte[] bytes = Hex(Udp);
        bytes[3] = 20; // header only; the 8 UDP bytes become padding
        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(bytes, out var ip));
        Assert.Equal(0, ip.Payload.Length);
    }

    [Theory]
    [InlineData(Udp)]
    [InlineData(WithOptions)]
    public void HasValidChecksum_AnyHeaderByteCorrupted_ReturnsFalse(string hex)
    {
        byte[] bytes = Hex(hex);
        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(bytes, out var valid));
        int headerLength = valid.HeaderLength;
        for (int offset = 0; offset < headerLength; offset++)
        {
            byte[] corrupted = (byte[])bytes.Clone();
            corrupted[offset] ^= 0x5A;
            // Corrupting the version, IHL or TotalLength may make the header unreadable; that is
            // a different failure, covered above.
            if (Ipv4Header.TryRead(corrupted, out var ip) != ParseResult.Ok) continue;
            Assert.False(ip.HasValidChecksum(), $"offset {offset}");
        }
    }

    [Fact]
    public void HasValidChecksum_PayloadCorrupted_StillTrue()
    {
        byte[] bytes = Hex(Udp);
        bytes[^1] ^= 0xFF; // the header checksum covers the header only
        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(bytes, out var ip));
        Assert.True(ip.HasValidChecksum());
    }
}
