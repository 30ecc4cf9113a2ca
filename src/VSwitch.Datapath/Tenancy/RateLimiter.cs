using System.Runtime.CompilerServices;

namespace VSwitch.Datapath.Tenancy;

/// <summary>
/// A token bucket per ingress port that bounds the replies the peephole writes, so that a host
/// (or a spoofer using a host's address) cannot turn the switch into a reply generator.
/// </summary>
/// <remarks>
/// <para>Each port's bucket holds at most <see cref="Burst"/> tokens and refills at
/// <see cref="RatePerSecond"/> tokens a second from the loop's clock (the <c>now</c> every stage
/// is given), so it is exact under a <c>ManualClock</c> and costs no system call. A reply spends
/// one token. While a port's bucket is empty its candidates are not shown to the responders at
/// all: they are forwarded as they came, and counted once as <c>peephole/rate-limited</c>. A real
/// server behind the switch then answers them, and the asker notices nothing but latency.</para>
/// <para>The default, 20,000 replies a second with a burst of 2,000 (a tenth of a second's
/// worth), is far above what a host resolving names for itself sends: a busy web service
/// resolving every request makes hundreds of queries a second, and a resolver's cold start a
/// few thousand at once. It still caps what one port can draw at about 20,000 * 1.3 kB
/// (the largest EDNS reply that fits a 1500-byte MTU), some 26 MB/s, far below line rate. Set it
/// with <c>peephole-rate-limit</c> (docs/configuration.md); 0 turns the limit off.</para>
/// <para>State is two arrays indexed by port id, written only by the loop's thread; a bucket
/// starts full. Arithmetic is in nano-tokens (tokens times 10^9) so a refill of a few
/// nanoseconds is not lost to rounding, and elapsed time is capped before it is multiplied, so
/// that a long idle spell cannot overflow.</para>
/// </remarks>
public sealed class RateLimiter
{
    private const long NanosPerSecond = 1_000_000_000;

    private readonly long _capacity;   // nano-tokens in a full bucket
    private readonly long _fullAfter;  // nanoseconds in which an empty bucket refills
    private long[] _spent = new long[16];      // nano-tokens below full, per port
    private long[] _lastRefill = new long[16]; // clock of the last refill, per port

    /// <param name="ratePerSecond">Tokens added per second, at least 1.</param>
    /// <param name="burst">Tokens a full bucket holds, at least 1.</param>
    public RateLimiter(int ratePerSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratePerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        RatePerSecond = ratePerSecond;
        Burst = burst;
        _capacity = burst * NanosPerSecond;
        _fullAfter = (_capacity + ratePerSecond - 1) / ratePerSecond;
    }

    /// <summary>The default: 20,000 replies a second per port, in bursts of up to 2,000.</summary>
    public const int DefaultRatePerSecond = 20_000;

    /// <summary>The burst that goes with a rate: a tenth of a second's worth, at least one.</summary>
    public static int BurstFor(int ratePerSecond) => Math.Max(1, ratePerSecond / 10);

    public int RatePerSecond { get; }

    public int Burst { get; }

    /// <summary>True when port <paramref name="port"/> has a token at <paramref name="now"/> (nanoseconds); takes none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasToken(int port, long now)
    {
        if ((uint)port >= (uint)_spent.Length) return true;   // a port never charged has a full bucket
        Refill(port, now);
        return _spent[port] + NanosPerSecond <= _capacity;
    }

    /// <summary>What <see cref="HasToken"/> would say, changing nothing: for a trace.</summary>
    public bool WouldHaveToken(int port, long now) =>
        (uint)port >= (uint)_spent.Length || Refilled(port, now) + NanosPerSecond <= _capacity;

    /// <summary>Spends one token of port <paramref name="port"/> (after <see cref="HasToken"/> said yes).</summary>
    public void Take(int port, long now)
    {
        if ((uint)port >= (uint)_spent.Length) Grow(port, now);
        Refill(port, now);
        _spent[port] = Math.Min(_capacity, _spent[port] + NanosPerSecond);
    }

    private void Refill(int port, long now)
    {
        if (now <= _lastRefill[port]) return;
        _spent[port] = Refilled(port, now);
        _lastRefill[port] = now;
    }

    // The port's spent tokens as of now, after the refill since the last one.
    private long Refilled(int port, long now)
    {
        long elapsed = now - _lastRefill[port];
        long spent = _spent[port];
        if (elapsed <= 0 || spent == 0) return spent;
        return elapsed >= _fullAfter ? 0 : Math.Max(0, spent - elapsed * RatePerSecond);
    }

    // Cold: the first reply on a port id past the arrays. A new bucket starts full at `now`.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int port, long now)
    {
        int size = Math.Max(port + 1, _spent.Length * 2);
        int old = _spent.Length;
        Array.Resize(ref _spent, size);
        Array.Resize(ref _lastRefill, size);
        for (int i = old; i < size; i++) _lastRefill[i] = now;
    }
}
