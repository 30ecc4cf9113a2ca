using System.Buffers.Binary;
using PacketDotNet;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;
using EtherType = VSwitch.Datapath.Frames.EtherType;

namespace VSwitch.Tests.Frames;

public class UdpWriterTests
{
    private static readonly uint Source4 = IPv4("198.18.0.1"), Destination4 = IPv4("198.18.0.2");
    private static readonly byte[] Source6 = IPv6("2001:db8::1"), Destination6 = IPv6("2001:db8::2");

    [Theory]
    [InlineData(0, false)]
    [InlineData(7, false)]
    [InlineData(8, true)]
    [InlineData(65535, true)]
    [InlineData(65536, false)]
    public void TryCreate_BufferLength_FitsHeaderAndLengthField(int length, bool expected) =>
        Assert.Equal(expected, UdpWriter.TryCreate(new byte[length], out _));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(512)]
    [InlineData(1471)]
    public void WriteChecksumIPv4_RandomPayload_PacketDotNetAndReaderAccept(int payloadLength)
    {
        byte[] frame = BuildIPv4(RandomPayload(payloadLength), 40000, 53);

        var parsed = Packet.ParsePacket(LinkLayers.Ethernet, frame);
        Assert.True(parsed.Extract<UdpPacket>().ValidUdpChecksum);
        Assert.True(parsed.Extract<IPv4Packet>().ValidChecksum);
        Assert.Equal(payloadLength, parsed.Extract<UdpPacket>().PayloadData.Length);

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(ethernet.Payload, out var ip));
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(ip.Payload, out var udp));
        Assert.Equal(40000, udp.SourcePort);
        Assert.Equal(53, udp.DestinationPort);
        Assert.Equal(8 + payloadLength, udp.Length);
        Assert.True(udp.HasValidChecksumIPv4(Source4, Destination4));
        Assert.Equal(ExpectedChecksum(PseudoHeaderIPv4(Source4, Destination4, 17, udp.Length), udp.Bytes.ToArray()), udp.Checksum);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(512)]
    [InlineData(1451)]
    public void WriteChecksumIPv6_RandomPayload_PacketDotNetAndReaderAccept(int payloadLength)
    {
        byte[] frame = BuildIPv6(RandomPayload(payloadLength), 5353, 5353);

        Assert.True(Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<UdpPacket>().ValidUdpChecksum);

        Assert.Equal(ParseResult.Ok, EthernetFrame.TryRead(frame, out var ethernet));
        Assert.Equal(ParseResult.Ok, Ipv6Header.TryRead(ethernet.Payload, out var ip));
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(ip.Payload, out var udp));
        Assert.True(udp.HasValidChecksumIPv6(ip.Source, ip.Destination));
        Assert.Equal(ExpectedChecksum(PseudoHeaderIPv6(Source6, Destination6, 17, udp.Length), udp.Bytes.ToArray()), udp.Checksum);
    }

    [Fact]
    public void WriteChecksumIPv4_ComputedZero_StoresAllOnes()
    {
        // Make the payload's last word the checksum computed without it: the sum then folds to
        // 0xFFFF and the computed checksum is 0, which must go on the wire as 0xFFFF.
        byte[] datagram = new byte[8 + 10];
        Assert.True(UdpWriter.TryCreate(datagram, out var writer));
        writer.WriteHeader(1111, 2222);
        ushort withoutLastWord = writer.WriteChecksumIPv4(Source4, Destination4);
        BinaryPrimitives.WriteUInt16BigEndian(writer.Payload[^2..], withoutLastWord);

        Assert.Equal(0xFFFF, writer.WriteChecksumIPv4(Source4, Destination4));
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(datagram, out var udp));
        Assert.Equal(0xFFFF, udp.Checksum);
        Assert.True(udp.HasValidChecksumIPv4(Source4, Destination4));
    }

    [Fact]
    public void WriteChecksumIPv6_ComputedZero_StoresAllOnes()
    {
        byte[] datagram = new byte[8 + 10];
        Assert.True(UdpWriter.TryCreate(datagram, out var writer));
        writer.WriteHeader(1111, 2222);
        ushort withoutLastWord = writer.WriteChecksumIPv6(Source6, Destination6);
        BinaryPrimitives.WriteUInt16BigEndian(writer.Payload[^2..], withoutLastWord);

        Assert.Equal(0xFFFF, writer.WriteChecksumIPv6(Source6, Destination6));
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(datagram, out var udp));
        Assert.True(udp.HasValidChecksumIPv6(Source6, Destination6));
    }

    [Fact]
    public void SetPorts_RandomChanges_KeepChecksumEqualToFullRecompute()
    {
        var random = new Random(768);
        byte[] datagram = new byte[8 + 21];
        random.NextBytes(datagram);
        Assert.True(UdpWriter.TryCreate(datagram, out var writer));
        writer.WriteHeader(1, 2);
        writer.WriteChecksumIPv4(Source4, Destination4);
        for (int round = 0; round < 5000; round++)
        {
            ushort port = (ushort)random.Next(65536);
            if (random.Next(2) == 0) writer.SetSourcePort(port);
            else writer.SetDestinationPort(port);

            ushort incremental = BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(6));
            Assert.Equal(writer.WriteChecksumIPv4(Source4, Destination4), incremental);
        }
    }

    [Fact]
    public void SetPorts_NoChecksum_LeavesZero()
    {
        byte[] datagram = new byte[12];
        Assert.True(UdpWriter.TryCreate(datagram, out var writer));
        writer.WriteHeader(67, 68);
        writer.SetDestinationPort(6800);
        Assert.Equal(ParseResult.Ok, UdpDatagram.TryRead(datagram, out var udp));
        Assert.Equal(0, udp.Checksum);
        Assert.Equal(6800, udp.DestinationPort);
    }

    private static byte[] BuildIPv4(byte[] payload, ushort sourcePort, ushort destinationPort)
    {
        byte[] frame = new byte[14 + 20 + 8 + payload.Length];
        Assert.True(EthernetWriter.TryCreate(frame, out var ethernet));
        int offset = ethernet.WriteHeader(0x02000000000B, 0x02000000000A, EtherType.IPv4);
        Assert.True(Ipv4HeaderWriter.TryCreate(frame.AsSpan(offset), out var ip));
        ip.WriteHeader(IpProtocol.Udp, Source4, Destination4, ttl: 64);
        Assert.True(UdpWriter.TryCreate(ip.Payload, out var udp));
        udp.WriteHeader(sourcePort, destinationPort);
        payload.CopyTo(udp.Payload);
        udp.WriteChecksumIPv4(Source4, Destination4);
        return frame;
    }

    private static byte[] BuildIPv6(byte[] payload, ushort sourcePort, ushort destinationPort)
    {
        byte[] frame = new byte[14 + 40 + 8 + payload.Length];
        Assert.True(EthernetWriter.TryCreate(frame, out var ethernet));
        int offset = ethernet.WriteHeader(0x02000000000B, 0x02000000000A, EtherType.IPv6);
        Assert.True(Ipv6HeaderWriter.TryCreate(frame.AsSpan(offset), out var ip));
        ip.WriteHeader(IpProtocol.Udp, Source6, Destination6, hopLimit: 64);
        Assert.True(UdpWriter.TryCreate(ip.Payload, out var udp));
        udp.WriteHeader(sourcePort, destinationPort);
        payload.CopyTo(udp.Payload);
        udp.WriteChecksumIPv6(ip.Source, ip.Destination);
        return frame;
    }

    /// <summary>The reference checksum with the stored field zeroed, and 0 sent as 0xFFFF.</summary>
    private static ushort ExpectedChecksum(byte[] pseudoHeader, byte[] datagram)
    {
        datagram[6] = datagram[7] = 0;
        ushort checksum = ReferenceChecksum(pseudoHeader, datagram);
        return checksum == 0 ? (ushort)0xFFFF : checksum;
    }

    private static byte[] RandomPayload(int length)
    {
        byte[] payload = new byte[length];
        new Random(length).NextBytes(payload);
        return payload;
    }
}
