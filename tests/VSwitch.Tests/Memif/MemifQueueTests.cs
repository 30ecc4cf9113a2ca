using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;

namespace VSwitch.Tests.Memif;

public class MemifQueueTests
{
    [Fact]
    public void ClientToServer_Frames_ArriveInOrderAndIntact()
    {
        using var link = new MemifTestLink();
        byte[][] frames = [MemifTestLink.Frame(60, 1), MemifTestLink.Frame(200, 2), MemifTestLink.Frame(256, 3)];
        Assert.Equal(3, MemifTestLink.Send(link.ClientTx, frames));
        Assert.Equal(3, link.C2S.Head);
        List<byte[]?> got = MemifTestLink.ReceiveAll(link.ServerRx);
        Assert.Equal(frames, got);
        Assert.Equal(3, link.C2S.Tail);
    }

    [Fact]
    public void ServerToClient_BeforeTheClientPosted_NothingCanBeSent()
    {
        using var link = new MemifTestLink();
        MemifRing s2c = link.S2C;
        s2c.Head = 0;  // as if the client had not posted its buffers yet
        Assert.Equal(0, link.ServerTx.BeginTransmit());
        Assert.Equal(0, MemifTestLink.Send(link.ServerTx, MemifTestLink.Frame(60, 1)));
    }

    [Fact]
    public void ServerToClient_Frames_ArriveAndBuffersAreReposted()
    {
        using var link = new MemifTestLink(log2: 4);
        Assert.Equal(16, link.S2C.Head);  // the client posted every buffer at connect
        byte[][] frames = [MemifTestLink.Frame(64, 4), MemifTestLink.Frame(100, 5)];
        Assert.Equal(2, MemifTestLink.Send(link.ServerTx, frames));
        Assert.Equal(2, link.S2C.Tail);
        Assert.Equal(frames, MemifTestLink.ReceiveAll(link.ClientRx));
        Assert.Equal(18, link.S2C.Head);
    }

    [Fact]
    public void Counters_WrapAroundSixteenBits_EveryFrameStillArrivesInOrder()
    {
        using var link = new MemifTestLink(log2: 4, bufferSize: 128);
        int expected = 0;
        for (int round = 0; round < 70000 / 10; round++)
        {
            byte[][] burst = [.. Enumerable.Range(0, 10).Select(i => BitConverter.GetBytes(round * 10 + i))];
            Assert.Equal(10, MemifTestLink.Send(link.ClientTx, burst));
            Assert.Equal(10, MemifTestLink.Send(link.ServerTx, burst));
            foreach (byte[]? f in MemifTestLink.ReceiveAll(link.ServerRx)) Assert.Equal(expected++, BitConverter.ToInt32(f));
            expected -= 10;
            foreach (byte[]? f in MemifTestLink.ReceiveAll(link.ClientRx)) Assert.Equal(expected++, BitConverter.ToInt32(f));
        }
        Assert.Equal(70000, expected);
        Assert.Equal(70000 % 65536, link.C2S.Head);  // the counter wrapped (70000 > 65535)
        Assert.Equal(0, link.ServerRx.BadCounters);
    }

    [Fact]
    public void ChainedDescriptors_FrameLongerThanABuffer_SpansSlotsAndReassembles()
    {
        using var link = new MemifTestLink(log2: 4, bufferSize: 256);
        byte[] big = MemifTestLink.Frame(1000, 9);
        Assert.Equal(1, MemifTestLink.Send(link.ClientTx, big));
        Assert.Equal(4, link.C2S.Head);  // 256 + 256 + 256 + 232
        Assert.Equal(MemifConstants.DescriptorFlagNext, link.C2S.Read(0).Flags);
        Assert.Equal(0, link.C2S.Read(3).Flags);
        Assert.Equal(232u, link.C2S.Read(3).Length);
        Assert.Equal([big], MemifTestLink.ReceiveAll(link.ServerRx));
        Assert.Equal(0, link.C2S.Read(0).Flags);  // handed back without the NEXT bit (DPDK would not clear it)

        Assert.Equal(1, MemifTestLink.Send(link.ServerTx, big));
        Assert.Equal([big], MemifTestLink.ReceiveAll(link.ClientRx));
    }

    [Fact]
    public void FullRing_OneMoreFrame_RefusedUntilTheConsumerReturnsSlots()
    {
        using var link = new MemifTestLink(log2: 3);
        byte[][] eight = [.. Enumerable.Range(0, 8).Select(i => MemifTestLink.Frame(60, i))];
        Assert.Equal(8, MemifTestLink.Send(link.ClientTx, eight));
        Assert.Equal(0, link.ClientTx.BeginTransmit());
        Assert.Equal(0, MemifTestLink.Send(link.ClientTx, MemifTestLink.Frame(60, 99)));
        Assert.Equal(8, MemifTestLink.ReceiveAll(link.ServerRx).Count);
        Assert.Equal(1, MemifTestLink.Send(link.ClientTx, MemifTestLink.Frame(60, 99)));
    }

    [Fact]
    public void FullRing_ChainThatDoesNotFit_NothingPublished()
    {
        using var link = new MemifTestLink(log2: 2, bufferSize: 128);
        Assert.Equal(3, MemifTestLink.Send(link.ClientTx, MemifTestLink.Frame(60, 1), MemifTestLink.Frame(60, 2), MemifTestLink.Frame(60, 3)));
        Assert.Equal(0, MemifTestLink.Send(link.ClientTx, MemifTestLink.Frame(200, 4)));  // needs 2 slots, 1 free
        Assert.Equal(3, link.C2S.Head);
    }

    [Fact]
    public void EmptyRing_ReadFrame_ReturnsMinusOne()
    {
        using var link = new MemifTestLink();
        Assert.Equal(0, link.ServerRx.BeginReceive());
        Assert.Empty(MemifTestLink.ReceiveAll(link.ServerRx));
        Assert.Empty(MemifTestLink.ReceiveAll(link.ClientRx));
        Assert.False(link.ServerRx.HasPending);
    }

    [Fact]
    public void BadDescriptor_OffsetOutsideTheRegion_FrameDroppedAndCountedNextOneDelivered()
    {
        using var link = new MemifTestLink();
        byte[] good = MemifTestLink.Frame(60, 2);
        Assert.Equal(2, MemifTestLink.Send(link.ClientTx, MemifTestLink.Frame(60, 1), good));
        link.C2S.At(0).Offset = (uint)link.Layout.RegionSize - 10;  // a hostile client points past the end
        List<byte[]?> got = MemifTestLink.ReceiveAll(link.ServerRx);
        Assert.Equal([null, good], got);
        Assert.Equal(1, link.ServerRx.BadDescriptors);
        Assert.Equal(2, link.C2S.Tail);  // the slot is returned all the same
    }

    [Fact]
    public void BadDescriptor_UnknownRegion_FrameDropped()
    {
        using var link = new MemifTestLink();
        MemifTestLink.Send(link.ClientTx, MemifTestLink.Frame(60, 1));
        link.C2S.At(0).Region = 3;
        Assert.Equal([null], MemifTestLink.ReceiveAll(link.ServerRx));
        Assert.Equal(1, link.ServerRx.BadDescriptors);
    }

    [Fact]
    public void BadDescriptor_FrameLongerThanTheSlot_Dropped()
    {
        using var link = new MemifTestLink(bufferSize: 2048);
        MemifTestLink.Send(link.ClientTx, MemifTestLink.Frame(1500, 1));
        Assert.Equal([null], MemifTestLink.ReceiveAll(link.ServerRx, capacity: 1000));
    }

    [Fact]
    public void BadDescriptor_ChainCutShort_Dropped()
    {
        using var link = new MemifTestLink();
        MemifTestLink.Send(link.ClientTx, MemifTestLink.Frame(60, 1));
        link.C2S.At(0).Flags = MemifConstants.DescriptorFlagNext;  // says "more follows", but nothing does
        Assert.Equal([null], MemifTestLink.ReceiveAll(link.ServerRx));
    }

    [Fact]
    public void BadDescriptor_PostedBufferOutsideTheRegion_ServerRefusesToWrite()
    {
        using var link = new MemifTestLink();
        link.S2C.At(0).Offset = uint.MaxValue - 8;
        Assert.Equal(0, MemifTestLink.Send(link.ServerTx, MemifTestLink.Frame(60, 1)));
        Assert.Equal(1, link.ServerTx.BadDescriptors);
    }

    [Fact]
    public void HostileServer_RewritesClientDescriptorOffsets_ClientStillUsesItsOwnBuffers()
    {
        using var link = new MemifTestLink();
        byte[] frame = MemifTestLink.Frame(80, 3);
        MemifTestLink.Send(link.ServerTx, frame);
        link.S2C.At(0).Offset = 0;  // would point the client at its own ring headers
        Assert.Equal([frame], MemifTestLink.ReceiveAll(link.ClientRx));
    }

    [Fact]
    public void PeerCounter_MoreThanARingAhead_ClampedAndCounted()
    {
        using var link = new MemifTestLink(log2: 4);
        MemifRing c2s = link.C2S, s2c = link.S2C;
        c2s.Head = 1000;
        Assert.Equal(16, link.ServerRx.BeginReceive());
        Assert.Equal(1, link.ServerRx.BadCounters);
        s2c.Head = 5000;
        Assert.Equal(16, link.ServerTx.BeginTransmit());
    }

    [Fact]
    public void Interrupts_ReceiverSetsMaskInt_ProducerReadsIt()
    {
        using var link = new MemifTestLink();
        Assert.Equal(MemifConstants.RingFlagMaskInterrupt, link.C2S.Flags);
        link.ServerRx.SetPolling(false);
        Assert.Equal(0, link.C2S.Flags);
        link.ServerRx.SetPolling(true);
        Assert.Equal(MemifConstants.RingFlagMaskInterrupt, link.C2S.Flags);
    }

    [Fact]
    public void KeepIfTooLong_FrameLeftInTheRing()
    {
        using var link = new MemifTestLink();
        byte[] frame = MemifTestLink.Frame(200, 1);
        MemifTestLink.Send(link.ClientTx, frame);
        link.ServerRx.BeginReceive();
        unsafe
        {
            byte* small = stackalloc byte[100];
            Assert.Equal(-3, link.ServerRx.ReadFrame(small, 100, keepIfTooLong: true));
        }
        Assert.Equal([frame], MemifTestLink.ReceiveAll(link.ServerRx));
    }
}
