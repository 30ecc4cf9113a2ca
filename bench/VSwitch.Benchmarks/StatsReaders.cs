using System.Diagnostics;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;

namespace VSwitch.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/VSwitch.Benchmarks -- stats-readers [ROUNDS] [SECONDS]</c>:
/// the loop's forwarding rate with a client reading every counter 100 times a second (as
/// <c>vswitchctl stats</c> and a metrics scrape do) against none, in interleaved rounds.
/// </summary>
/// <remarks>Whole-process figures, not a BenchmarkDotNet suite: the loop runs on its own thread
/// with busy polling, fed by synthetic ports (64-byte UDP, A to B, no system call), and the rate
/// is what crossed the switch in the round. On 2 vCPUs the reader shares the second core with
/// everything else; the medians and the ratio are the figures to quote.</remarks>
public static class StatsReaders
{
    /// <summary>A reader of the loop's counters: started once per round, then called every <c>Every</c>.</summary>
    /// <param name="Name">What it is, for the printed rows.</param>
    /// <param name="Every">How often it reads.</param>
    /// <param name="Start">Starts it against a running loop; returns one read and what to dispose after the round.</param>
    public sealed record Reader(string Name, TimeSpan Every, Func<ForwardingLoop, (Action Read, IDisposable? Resources)> Start);

    /// <summary>What <c>vswitchctl stats</c> does with the counters, 100 times a second: every counter, formatted.</summary>
    public static Reader Stats { get; } = new("100 reads/s", TimeSpan.FromMilliseconds(10), loop => (() =>
    {
        long sum = 0;
        foreach (var (path, value) in loop.Published.Read()) sum += path.Length + value;
        GC.KeepAlive(sum);
    }, null));

    public static void Run(int rounds, double seconds) => Run(Stats, rounds, seconds);

    /// <summary>Forwarding rate without a reader and with <paramref name="reader"/>, in interleaved rounds; prints rows and medians.</summary>
    public static void Run(Reader reader, int rounds, double seconds)
    {
        Console.WriteLine($"# Forwarding with a reader ({reader.Name}): {rounds} rounds of {seconds} s each, interleaved");
        var without = new List<double>();
        var with = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            // Alternate which goes first, so drift in the machine's state is not charged to one side.
            bool readerFirst = r % 2 == 1;
            foreach (bool reading in readerFirst ? new[] { true, false } : [false, true])
            {
                double rate = Measure(reading ? reader : null, seconds, out long reads);
                (reading ? with : without).Add(rate);
                Console.WriteLine($"round {r + 1} {(reading ? reader.Name : "no reader")}: {rate / 1e6:F3} Mpps{(reading ? $" ({reads} reads)" : "")}");
            }
        }
        double a = Median(without), b = Median(with);
        Console.WriteLine($"median: no reader {a / 1e6:F3} Mpps, {reader.Name} {b / 1e6:F3} Mpps, ratio {b / a:F3}");
    }

    private static double Measure(Reader? reader, double seconds, out long reads)
    {
        using var pool = new FramePool(1024, frameCapacity: 2048);
        var loop = new ForwardingLoop(pool, MonotonicClock.Instance, new SwitchOptions { Idle = IdlePolicy.BusyPoll });
        var a = new EndlessPort("a", pool, BenchFrames.Udp64(BenchFrames.MacA, BenchFrames.MacB));
        var b = new EndlessPort("b", pool, BenchFrames.Udp64(BenchFrames.MacB, BenchFrames.MacA));
        loop.AddPort(a);
        loop.AddPort(b);
        using var stop = new CancellationTokenSource();
        var thread = new Thread(() => loop.Run(stop.Token)) { IsBackground = true, Name = "loop" };
        thread.Start();
        Thread.Sleep(300);
        (Action Read, IDisposable? Resources)? started = reader?.Start(loop);
        long before = a.Received + b.Received;
        var clock = Stopwatch.StartNew();
        long done = 0;
        TimeSpan every = reader?.Every ?? TimeSpan.FromMilliseconds(10);
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            if (started is { } s)
            {
                s.Read();
                done++;
            }
            Thread.Sleep(every);
        }
        long forwarded = a.Received + b.Received - before;
        double elapsed = clock.Elapsed.TotalSeconds;
        started?.Resources?.Dispose();
        stop.Cancel();
        thread.Join();
        reads = done;
        return forwarded / elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    // Always has a burst to give, and counts what it gave (read from the measuring thread, a few frames old at most).
    private sealed class EndlessPort(string name, FramePool pool, byte[] template) : VSwitch.Datapath.Ports.IPort
    {
        private long _received;

        public string Name { get; } = name;
        public bool IsUp => true;
        public long Received => Volatile.Read(ref _received);

        public int Receive(Span<FrameDescriptor> burst)
        {
            int n = 0;
            while (n < burst.Length && pool.TryRent(out int slot))
            {
                template.CopyTo(pool.Slot(slot)[FramePool.Headroom..]);
                burst[n++] = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = template.Length };
            }
            Volatile.Write(ref _received, _received + n);
            return n;
        }

        public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
        {
            foreach (ref readonly FrameDescriptor d in burst) pool.Return(d.Slot);
            return burst.Length;
        }

        public void Dispose() { }
    }
}
