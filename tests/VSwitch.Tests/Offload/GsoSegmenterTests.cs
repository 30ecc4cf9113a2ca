using System.Buffers.Binary;
using System.Net;
using PacketDotNet;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Offload;
using VSwitch.Tests.Scenarios;

namespace VSwitch.Tests.Offload;

public class GsoSegmenterTests
{
    private static byte[] SuperFrame(bool v6, int payload, byte flags)
    {
        var data = new byte[payload];
        new Random(payload).NextBytes(data);
        var tcp = new TcpPacket(40000, 5201) { SequenceNumber = 0xFFFF_F000, AcknowledgmentNumber = 7, WindowSize = 512, PayloadData = data };
        tcp.Flags = flags;
        IPPacket ip = v6
            ? new IPv6Packet(IPAddress.Parse("2001:db8::1"), IPAddress.Parse("2001:db8::2")) { PayloadPacket = tcp, HopLimit = 64 }
            : new IPv4Packet(IPAddress.Parse("198.18.0.1"), IPAddress.Parse("198.18.0.2")) { PayloadPacket = tcp, TimeToLive = 64, Id = 0xFFFE };
        var eth = new EthernetPacket(TestFrames.A.Mac, TestFrames.B.Mac, v6 ? EthernetType.IPv6 : EthernetType.IPv4) { PayloadPacket = ip };
        ip.UpdateCalculatedValues();
        if (ip is IPv4Packet v4) v4.UpdateIPChecksum();
        tcp.UpdateTcpChecksum();
        return eth.Bytes;
    }

    [Theory]
    [InlineData(false, 10000, 1448)]
    [InlineData(true, 10000, 1428)]
    [InlineData(false, 1448, 1448)]
    [InlineData(false, 65000, 1448)]
    public void Segment_TcpSuperFrame_SegmentsValidAndContiguous(bool v6, int payload, int mss)
    {
        const byte FinPshAckCwr = 0x01 | 0x08 | 0x10 | 0x80;
        byte[] frame = SuperFrame(v6, payload, FinPshAckCwr);
        using var pool = new FramePool(128);
        Assert.True(pool.TryRent(out int slot));
        frame.CopyTo(pool.Slot(slot)[FramePool.Headroom..]);
        var d = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = frame.Length, Flags = FrameFlags.Gso | FrameFlags.ChecksumPartial };
        pool.Offload(slot) = new FrameOffload { GsoSize = (ushort)mss, GsoType = v6 ? FrameOffload.GsoTcpV6 : FrameOffload.GsoTcpV4 };

        var output = new FrameDescriptor[64];
        int n = GsoSegmenter.Segment(pool, d, output);
        Assert.Equal((payload + mss - 1) / mss, n);

        var reassembled = new List<byte>();
        uint expectedSeq = 0xFFFF_F000;
        for (int i = 0; i < n; i++)
        {
            byte[] seg = pool.Frame(output[i]).ToArray();
            Assert.Equal(FrameFlags.None, output[i].Flags & (FrameFlags.Gso | FrameFlags.ChecksumPartial));
            var parsed = Packet.ParsePacket(LinkLayers.Ethernet, seg);
            var tcp = parsed.Extract<TcpPacket>();
            Assert.True(tcp.ValidTcpChecksum, $"segment {i} TCP checksum");
            if (!v6)
            {
                var ip4 = parsed.Extract<IPv4Packet>();
                Assert.True(ip4.ValidIPChecksum, $"segment {i} IP checksum");
                Assert.Equal((ushort)(0xFFFE + i), ip4.Id);
            }
            Assert.Equal(expectedSeq, tcp.SequenceNumber);
            Assert.Equal(i == n - 1, tcp.Finished);
            Assert.Equal(i == n - 1, tcp.Push);
            Assert.Equal(i == 0, tcp.CongestionWindowReduced);
            Assert.True(tcp.Acknowledgment);
            Assert.True(tcp.PayloadData.Length <= mss);
            reassembled.AddRange(tcp.PayloadData);
            expectedSeq += (uint)tcp.PayloadData.Length;
            pool.Return(output[i].Slot);
        }
        var original = Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<TcpPacket>().PayloadData;
        Assert.Equal(original, reassembled.ToArray());
        pool.Return(slot);
        Assert.Equal(pool.SlotCount, pool.Available);
    }

    [Fact]
    public void Segment_NotEnoughSlots_ReturnsMinusOneAndRentsNothing()
    {
        byte[] frame = SuperFrame(false, 20000, 0x10);
        using var pool = new FramePool(4);
        Assert.True(pool.TryRent(out int slot));
        frame.CopyTo(pool.Slot(slot)[FramePool.Headroom..]);
        var d = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = frame.Length, Flags = FrameFlags.Gso };
        pool.Offload(slot) = new FrameOffload { GsoSize = 1448, GsoType = FrameOffload.GsoTcpV4 };
        Assert.Equal(-1, GsoSegmenter.Segment(pool, d, new FrameDescriptor[64]));
        Assert.Equal(3, pool.Available);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Complete_PartialChecksum_EqualsFullChecksum(bool udp)
    {
        byte[] frame = udp
            ? PeepholeFrames.Udp4(TestFrames.A.Mac, TestFrames.B.Mac, "198.18.0.1", "198.18.0.2", 1000, 2000, new byte[333])
            : SuperFrame(false, 777, 0x18);
        int l4 = 14 + 20, field = l4 + (udp ? 6 : 16);
        ushort good = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field));
        // What the kernel hands over: the folded pseudo-header sum, not inverted, in the field.
        uint src = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(26)), dst = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(30));
        ushort pseudo = Checksum.Fold(Checksum.PseudoHeaderSumIPv4(src, dst, udp ? IpProtocol.Udp : IpProtocol.Tcp, (ushort)(frame.Length - l4)));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(field), pseudo);
        Assert.True(ChecksumOffload.Complete(frame, new FrameOffload { CsumStart = (ushort)l4, CsumOffset = (ushort)(udp ? 6 : 16) }));
        Assert.Equal(good, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field)));
    }
}
