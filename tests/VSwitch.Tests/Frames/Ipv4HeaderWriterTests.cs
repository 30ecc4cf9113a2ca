using System.Buffers.Binary;
using PacketDotNet;
using PacketDotNet.Utils;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;
using EtherType = VSwitch.Datapath.Frames.EtherType;

namespace VSwitch.Tests.Frames;

public class Ipv4HeaderWriterTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(19, false)]
    [InlineData(20, true)]
    [InlineData(65535, true)]
    [InlineData(65536, false)]
    public void TryCreate_BufferLength_FitsHeaderAndTotalLength(int length, bool expected) =>
        Assert.Equal(expected, Ipv4HeaderWriter.TryCreate(new byte[length], out _));

    [Fact]
    public void WriteHeader_UdpPacket_ReaderAndPacketDotNetAccept()
    {
        byte[] frame = new byte[14 + 20 + 8 + 5];
        Assert.True(EthernetWriter.TryCreate(frame, out var ethernet));
        int offset = ethernet.WriteHeader(0x02000000000B, 0x02000000000A, EtherType.IPv4);
        Assert.True(Ipv4HeaderWriter.TryCreate(frame.AsSpan(offset), out var ip));
        Assert.Equal(20, ip.WriteHeader(IpProtocol.Udp, IPv4("198.18.0.1"), IPv4("198.18.0.2"), ttl: 64,
            identification: 0x1234, dontFragment: false, typeOfService: 0x2e));
        Assert.True(UdpWriter.TryCreate(ip.Payload, out var udp));
        udp.WriteHeader(1234, 53);
        Hex("68656c6c6f").CopyTo(udp.Payload);
        udp.WriteChecksumIPv4(IPv4("198.18.0.1"), IPv4("198.18.0.2"));

        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(frame.AsSpan(offset), out var read));
        Assert.True(read.HasValidChecksum());
        Assert.Equal(33, read.TotalLength);
        Assert.Equal(20, read.HeaderLength);
        Assert.Equal(0x2e, read.TypeOfService);
        Assert.Equal(0x1234, read.Identification);
        Assert.False(read.DontFragment);
        Assert.False(read.IsFragment);
        Assert.Equal(64, read.Ttl);
        Assert.Equal(IpProtocol.Udp, read.Protocol);
        Assert.Equal(IPv4("198.18.0.1"), read.Source);
        Assert.Equal(IPv4("198.18.0.2"), read.Destination);

        var parsed = Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<IPv4Packet>();
        Assert.True(parsed.ValidIPChecksum);
        Assert.True(parsed.ValidChecksum);
        Assert.Equal(33, parsed.TotalLength);
        Assert.Equal(ProtocolType.Udp, parsed.Protocol);
        Assert.Equal("198.18.0.1", parsed.SourceAddress.ToString());
        Assert.Equal("198.18.0.2", parsed.DestinationAddress.ToString());
    }

    [Fact]
    public void WriteHeader_Defaults_AtomicDatagramWithDontFragment()
    {
        byte[] packet = new byte[20];
        Assert.True(Ipv4HeaderWriter.TryCreate(packet, out var ip));
        ip.WriteHeader(IpProtocol.Icmp, 1, 2, ttl: 255);
        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(packet, out var read));
        Assert.True(read.DontFragment);
        Assert.Equal(0, read.Identification);
        Assert.Equal(0, read.TypeOfService);
        Assert.Equal(0, read.Payload.Length);
        Assert.Equal(ReferenceChecksum(Hex("4500 0014 0000 4000 ff01 0000 00000001 00000002")), read.HeaderChecksum);
    }

    [Fact]
    public void Setters_RandomFieldChanges_KeepChecksumEqualToFullRecompute()
    {
        var random = new Random(1624);
        byte[] packet = new byte[40];
        Assert.True(Ipv4HeaderWriter.TryCreate(packet, out var ip));
        ip.WriteHeader(IpProtocol.Udp, IPv4("10.0.0.1"), IPv4("10.0.0.2"), ttl: 64);
        for (int round = 0; round < 5000; round++)
        {
            switch (random.Next(6))
            {
                case 0: ip.SetTtl((byte)random.Next(256)); break;
                case 1: ip.SetProtocol((byte)random.Next(256)); break;
                case 2: ip.SetIdentification((ushort)random.Next(65536)); break;
                case 3: ip.SetTypeOfService((byte)random.Next(256)); break;
                case 4: ip.SetSource((uint)random.NextInt64(0, 1L << 32)); break;
                default: ip.SetDestination((uint)random.NextInt64(0, 1L << 32)); break;
            }
            ushort incremental = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(10));
            Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(packet, out var read));
            Assert.True(read.HasValidChecksum(), $"round {round}");

            byte[] zeroed = packet[..20];
            zeroed[10] = zeroed[11] = 0;
            Assert.Equal(ReferenceChecksum(zeroed), incremental);
        }
    }

    [Fact]
    public void WriteChecksum_AfterAddingOptions_CoversOptions()
    {
        byte[] packet = new byte[32];
        Assert.True(Ipv4HeaderWriter.TryCreate(packet, out var ip));
        ip.WriteHeader(2, IPv4("192.168.1.10"), IPv4("224.0.0.22"), ttl: 1);
        packet[0] = 0x46;
        Hex("94040000").CopyTo(packet, 20); // Router Alert
        ip.WriteChecksum();

        Assert.Equal(ParseResult.Ok, Ipv4Header.TryRead(packet, out var read));
        Assert.Equal(24, read.HeaderLength);
        Assert.Equal(Hex("94040000"), read.Options.ToArray());
        Assert.True(read.HasValidChecksum());
        Assert.Equal(8, ip.Payload.Length);
        Assert.True(new IPv4Packet(new ByteArraySegment(packet)).ValidIPChecksum);
    }
}
