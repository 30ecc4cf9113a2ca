using VSwitch.Memif.Rings;

namespace VSwitch.Tests.Memif;

public class RingMathTests
{
    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 5, 5)]
    [InlineData(65535, 1, 2)]          // wrap-around of the u16 counter
    [InlineData(65530, 4, 10)]
    [InlineData(5, 4, 65535)]          // "behind" is a huge distance, never negative
    public void Distance_FreeRunningCounters_ModuloTwoToTheSixteen(int from, int to, int expected) =>
        Assert.Equal(expected, RingMath.Distance((ushort)from, (ushort)to));

    [Theory]
    [InlineData(65535, 1, 1024, 2)]
    [InlineData(0, 1024, 1024, 1024)]
    [InlineData(0, 1025, 1024, 1024)]  // a peer's counter more than a ring ahead: clamped
    [InlineData(5, 4, 1024, 1024)]
    public void ClampedDistance_NeverMoreThanTheRing(int from, int to, int size, int expected) =>
        Assert.Equal(expected, RingMath.ClampedDistance((ushort)from, (ushort)to, size));

    [Theory]
    [InlineData(0, 0, 16, 16)]          // empty ring: all free
    [InlineData(16, 0, 16, 0)]          // full ring
    [InlineData(3, 65535, 16, 12)]      // 4 in flight across the wrap
    [InlineData(40, 0, 16, 0)]          // more in flight than the ring holds (bad peer): none free
    public void Free_ProducerAndConsumerCounters_SlotsLeft(int produced, int consumed, int size, int expected) =>
        Assert.Equal(expected, RingMath.Free((ushort)produced, (ushort)consumed, size));

    [Fact]
    public void Overruns_OnlyBeyondTheRing()
    {
        Assert.False(RingMath.Overruns(65535, 1023, 1024));
        Assert.True(RingMath.Overruns(65535, 1024, 1024));
    }

    [Fact]
    public void Slot_WrapsWithTheMask() => Assert.Equal(3, RingMath.Slot(65539 & 0xFFFF, 15));

    [Theory]
    [InlineData(10, 128 + 16 * 1024)]
    [InlineData(1, 160)]
    public void RingBytes_HeaderPlusDescriptors(int log2, long expected) => Assert.Equal(expected, RingMath.RingBytes(log2));
}
