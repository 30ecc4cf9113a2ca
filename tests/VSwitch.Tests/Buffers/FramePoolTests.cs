using VSwitch.Datapath.Buffers;

namespace VSwitch.Tests.Buffers;

public class FramePoolTests
{
    [Fact]
    public void TryRent_EverySlot_DistinctThenExhausted()
    {
        using var pool = new FramePool(8, frameCapacity: 256);
        var slots = new HashSet<int>();
        for (int i = 0; i < 8; i++)
        {
            Assert.True(pool.TryRent(out int slot));
            Assert.True(slots.Add(slot));
        }
        Assert.False(pool.TryRent(out _));
        Assert.Equal(0, pool.Available);
        pool.Return(3);
        Assert.True(pool.TryRent(out int again));
        Assert.Equal(3, again);
    }

    [Fact]
    public void Return_SlotNotRented_Throws()
    {
        using var pool = new FramePool(4, frameCapacity: 256);
        Assert.True(pool.TryRent(out int slot));
        pool.Return(slot);
        Assert.Throws<InvalidOperationException>(() => pool.Return(slot));
        Assert.Throws<InvalidOperationException>(() => pool.Return(99));
    }

    [Fact]
    public unsafe void Slots_AreCacheLineAlignedAndDoNotOverlap()
    {
        using var pool = new FramePool(4, frameCapacity: 1500);
        Assert.Equal(0, pool.SlotSize % 64);
        Assert.True(pool.FrameCapacity >= 1500);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(0, (long)pool.SlotAddress(i) % 64);
            pool.Slot(i).Fill((byte)i);
        }
        for (int i = 0; i < 4; i++) Assert.True(pool.Slot(i).IndexOfAnyExcept((byte)i) < 0);
    }

    [Fact]
    public void Frame_Descriptor_IsTheSliceItNames()
    {
        using var pool = new FramePool(2, frameCapacity: 256);
        pool.Slot(1)[FramePool.Headroom] = 0xAB;
        var d = new FrameDescriptor { Slot = 1, Offset = FramePool.Headroom, Length = 60 };
        Assert.Equal(60, pool.Frame(d).Length);
        Assert.Equal(0xAB, pool.Frame(d)[0]);
    }

    [Fact]
    public void DefaultCapacity_HoldsA64KiBSegmentationOffloadFrame()
    {
        using var pool = new FramePool(1);
        Assert.True(pool.FrameCapacity >= 65536 + 14);
    }
}
