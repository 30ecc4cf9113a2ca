using VSwitch.Daemon.Config;
using VSwitch.Datapath.Pipeline;
using VSwitch.Tests.Peephole;
using VSwitch.Tests.Scenarios;

namespace VSwitch.Tests.Hardening;

/// <summary>
/// The per-port reply rate limit through the real loop, on a <see cref="ManualClock"/> that moves
/// only when told: the default bucket answers exactly 2,000 queries at one instant, forwards and
/// counts the next, refills at 20,000 a second, and one port's flood does not limit another's.
/// </summary>
public class ReplyRateLimitTests
{
    private static byte[] QueryFrom(TestFrames.Host host, ushort id) =>
        PeepholeFrames.Query(host, TestDns.Query(id, "web.cluster.local", TestDns.TypeA));

    private static PeepholeTestSwitch StoppedClock(SwitchOptions? options = null) =>
        new(slots: 64, options: options) { Step = TimeSpan.Zero };

    // Sends a query and says whether the switch answered it; a query it did not answer must be
    // forwarded unchanged, on both other ports.
    private static bool Answered(PeepholeTestSwitch sw, byte[] frame, int port = 0)
    {
        var sent = sw.Send(frame, port);
        if (sent.Any(s => s.Port == port)) return true;
        Assert.Equal(2, sent.Count);
        Assert.All(sent, s => Assert.Equal(frame, s.Frame));
        return false;
    }

    [Fact]
    public void Peephole_DefaultLimit_AnswersTheBurstThenForwardsAndCounts()
    {
        using var sw = StoppedClock();
        byte[] query = QueryFrom(TestFrames.A, 1);
        for (int i = 0; i < 2_000; i++) Assert.True(Answered(sw, query), $"query {i} of the burst was not answered");

        Assert.False(Answered(sw, query));
        // ARP shares the port's bucket: 198.18.0.21 is in the ethers table, and is not answered either.
        Assert.False(Answered(sw, TestFrames.ArpRequest(TestFrames.A, new TestFrames.Host("02:00:00:00:00:21", "198.18.0.21"))));
        Assert.Equal(2_000, sw.Counter("port/p1/peephole/dns/replied"));
        Assert.Equal(2, sw.Counter("port/p1/peephole/rate-limited"));
        Assert.Equal(2, sw.Counter("peephole/rate-limited"));
        Assert.Equal(0, sw.Counter("peephole/arp/replied"));
    }

    [Fact]
    public void Peephole_DefaultLimit_RefillsTwentyPerMillisecond()
    {
        using var sw = StoppedClock();
        byte[] query = QueryFrom(TestFrames.A, 2);
        while (Answered(sw, query)) { }

        sw.Clock.Advance(TimeSpan.FromMilliseconds(1));
        int answered = 0;
        while (Answered(sw, query)) answered++;
        Assert.Equal(20, answered);

        sw.Clock.Advance(TimeSpan.FromSeconds(10));
        answered = 0;
        while (Answered(sw, query)) answered++;
        Assert.Equal(2_000, answered);
    }

    [Fact]
    public void Peephole_OnePortOverItsLimit_OtherPortsStillAnswered()
    {
        using var sw = StoppedClock(new SwitchOptions { PeepholeRateLimit = 50 });
        byte[] fromA = QueryFrom(TestFrames.A, 3), fromB = QueryFrom(TestFrames.B, 4);
        int answered = 0;
        while (Answered(sw, fromA)) answered++;
        Assert.Equal(5, answered);   // a burst of a tenth of a second: 5 at 50/s

        for (int i = 0; i < 5; i++) Assert.True(Answered(sw, fromB, port: 1));
        Assert.False(Answered(sw, fromB, port: 1));
        Assert.Equal(1, sw.Counter("port/p1/peephole/rate-limited"));
        Assert.Equal(1, sw.Counter("port/p2/peephole/rate-limited"));
    }

    [Fact]
    public void Peephole_LimitZero_NeverLimits()
    {
        using var sw = StoppedClock(new SwitchOptions { PeepholeRateLimit = 0 });
        byte[] query = QueryFrom(TestFrames.A, 5);
        for (int i = 0; i < 5_000; i++) Assert.True(Answered(sw, query));
        Assert.Equal(0, sw.Counter("peephole/rate-limited"));
    }

    [Fact]
    public void Peephole_OverTheLimit_NonCandidatesUnaffectedAndUncounted()
    {
        using var sw = StoppedClock(new SwitchOptions { PeepholeRateLimit = 10 });
        byte[] query = QueryFrom(TestFrames.A, 6);
        while (Answered(sw, query)) { }
        long limited = sw.Counter("peephole/rate-limited");

        byte[] plain = TestFrames.Udp(TestFrames.A, TestFrames.B, "not a query");
        Assert.Equal(2, sw.Send(plain).Count);
        Assert.Equal(limited, sw.Counter("peephole/rate-limited"));
    }

    [Theory]
    [InlineData("peephole-rate-limit = 0", 0)]
    [InlineData("peephole-rate-limit = 100000", 100_000)]
    [InlineData("", 20_000)]
    public void Config_PeepholeRateLimit_Parsed(string line, int expected)
    {
        var errors = new List<ConfigError>();
        SwitchConfig? config = ConfigKeys.ApplyAll(new SwitchConfig(), ConfigFileReader.Parse("f", line, errors), errors);
        Assert.Empty(errors);
        Assert.Equal(expected, config!.PeepholeRateLimit);
    }

    [Theory]
    [InlineData("peephole-rate-limit = -1")]
    [InlineData("peephole-rate-limit = 100000001")]
    [InlineData("peephole-rate-limit = fast")]
    public void Config_PeepholeRateLimit_BadValueRefused(string line)
    {
        var errors = new List<ConfigError>();
        ConfigKeys.ApplyAll(new SwitchConfig(), ConfigFileReader.Parse("f", line, errors), errors);
        Assert.StartsWith("peephole-rate-limit:", Assert.Single(errors).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CommandLine_PeepholeRateLimitOption_Parsed()
    {
        CommandLineResult r = CommandLine.Parse(["--peephole-rate-limit", "7"]);
        Assert.Empty(r.Errors);
        Assert.Equal(7, r.Config!.PeepholeRateLimit);
    }
}
