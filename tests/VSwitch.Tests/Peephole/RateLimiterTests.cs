using VSwitch.Datapath.Peephole;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Tests.Peephole;

public class RateLimiterTests
{
    private const long Ms = 1_000_000;

    private static int Drain(RateLimiter limiter, int port, long now)
    {
        int taken = 0;
        while (limiter.HasToken(port, now))
        {
            limiter.Take(port, now);
            taken++;
        }
        return taken;
    }

    [Fact]
    public void HasToken_FullBucket_GivesExactlyTheBurstAtOneInstant()
    {
        var limiter = new RateLimiter(ratePerSecond: 1000, burst: 100);
        Assert.Equal(100, Drain(limiter, port: 0, now: 5 * Ms));
        Assert.False(limiter.HasToken(0, 5 * Ms));
    }

    [Fact]
    public void HasToken_AfterDraining_RefillsAtTheRate()
    {
        var limiter = new RateLimiter(ratePerSecond: 1000, burst: 100);
        Drain(limiter, 0, 0);
        Assert.Equal(0, Drain(limiter, 0, 0));
        Assert.Equal(10, Drain(limiter, 0, 10 * Ms));           // 10 ms at 1000/s
        Assert.Equal(0, Drain(limiter, 0, 10 * Ms + 999_999));  // 0.999 ms: not a whole token yet
        Assert.Equal(1, Drain(limiter, 0, 11 * Ms));            // the fraction was kept, not lost
    }

    [Fact]
    public void HasToken_LongIdle_RefillsOnlyToTheBurst()
    {
        var limiter = new RateLimiter(ratePerSecond: 1000, burst: 100);
        Drain(limiter, 0, 0);
        Assert.Equal(100, Drain(limiter, 0, long.MaxValue / 2));
    }

    [Fact]
    public void HasToken_PortsHaveTheirOwnBuckets_IncludingPortsPastTheFirstArrays()
    {
        var limiter = new RateLimiter(ratePerSecond: 10, burst: 3);
        Assert.Equal(3, Drain(limiter, 0, 0));
        Assert.Equal(3, Drain(limiter, 1, 0));
        Assert.Equal(3, Drain(limiter, 500, 0));
        Assert.Equal(0, Drain(limiter, 0, 0));
        Assert.True(limiter.HasToken(499, 0));
    }

    [Fact]
    public void HasToken_ClockStandsStillOrGoesBack_NoTokensAppear()
    {
        var limiter = new RateLimiter(ratePerSecond: 1000, burst: 2);
        Drain(limiter, 0, 100 * Ms);
        Assert.Equal(0, Drain(limiter, 0, 50 * Ms));
        Assert.Equal(0, Drain(limiter, 0, 100 * Ms));
    }

    [Theory]
    [InlineData(20_000, 2_000)]
    [InlineData(5, 1)]
    [InlineData(1, 1)]
    public void BurstFor_IsATenthOfASecond_AtLeastOne(int rate, int burst) => Assert.Equal(burst, RateLimiter.BurstFor(rate));

    [Fact]
    public void Constructor_ZeroRateOrBurst_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(1, 0));
    }
}
