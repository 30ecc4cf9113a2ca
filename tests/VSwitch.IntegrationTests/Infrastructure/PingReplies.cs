using System.Globalization;
using System.Text.RegularExpressions;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>Reading a <c>ping -D</c> stream (each reply stamped with the Unix time it arrived), and bounded waits.</summary>
public static partial class PingReplies
{
    /// <summary>The arrival time of every reply in <paramref name="pings"/>, in Unix seconds.</summary>
    public static double[] ReplyTimes(string pings) =>
        [.. ReplyTime().Matches(pings).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    /// <summary>Now, on the clock <c>ping -D</c> stamps with.</summary>
    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Polls <paramref name="condition"/> every 100 ms for up to <paramref name="seconds"/>; fails the test naming <paramref name="what"/>.</summary>
    public static void Poll(Func<bool> condition, string what, int seconds = 30)
    {
        for (int i = 0; i < seconds * 10; i++)
        {
            if (condition()) return;
            Thread.Sleep(100);
        }
        Assert.Fail($"gave up waiting for {what}");
    }

    [GeneratedRegex(@"^\[(\d+\.\d+)\] \d+ bytes from", RegexOptions.Multiline)]
    private static partial Regex ReplyTime();
}
