using System.Diagnostics;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Switching;

namespace VSwitch.Tests.Hardening;

/// <summary>
/// Floods through the real forwarding loop, in process: a million frames from random source MACs
/// (the MAC table stays at its bound, the datapath allocates nothing, known hosts stay unicast),
/// and a broadcast storm on one port (the other ports' traffic all gets through).
/// </summary>
/// <remarks>Memory and rates are measured and printed for the record; only counts are asserted,
/// never a time. The memory assertion is on bytes allocated by the loop's thread, which is exact:
/// a datapath that allocated per frame would allocate megabytes here.</remarks>
[Collection(nameof(FloodTests))]   // Alone: they measure the process's memory and the machine's speed.
public class FloodTests(ITestOutputHelper output)
{
    private const ulong MacA = 0x02_00_00_00_00_0A, MacB = 0x02_00_00_00_00_0B, Broadcast = 0xFF_FF_FF_FF_FF_FF;

    [Fact]
    public void MacFlood_MillionRandomSources_TableAtItsBoundNoAllocationKnownHostsUnicast()
    {
        const int Frames = 1_000_000;
        using var pool = new FramePool(1024, 2048);
        var loop = new ForwardingLoop(pool, new ManualClock());
        var attacker = new TrafficPort("attacker", pool, seed: 0x5EED) { RandomSource = true, Destination = 0x02_00_00_00_FF_FF };
        var a = new TrafficPort("a", pool) { Source = MacA, Destination = MacB, PerPoll = 1 };
        var b = new TrafficPort("b", pool) { Source = MacB, Destination = MacA, CountFrom = MacA };
        loop.AddPort(attacker);
        loop.AddPort(a);
        loop.AddPort(b);

        // The two hosts introduce themselves before the flood.
        a.Remaining = 1;
        b.Remaining = 1;
        loop.RunOnce();
        Assert.Equal(2, loop.MacTable.Count);

        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetBefore = Environment.WorkingSet;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        // The attacker offers a full burst every round; host A one frame to B every round.
        attacker.Remaining = Frames;
        long aBefore = a.Offered, bFromA = b.ReceivedFromCounted, attackerFromA = attacker.ReceivedFromCounted;
        a.Remaining = long.MaxValue;
        while (attacker.Remaining > 0) loop.RunOnce();
        a.Remaining = 0;

        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetAfter = Environment.WorkingSet;
        long aSent = a.Offered - aBefore;

        Assert.Equal(MacTable.DefaultMaxEntries, loop.MacTable.Count);
        Assert.Equal(MacTable.DefaultMaxEntries, loop.Counters.FdbEntries);
        Assert.Equal(Frames - (MacTable.DefaultMaxEntries - 2), loop.Counters.FdbTableFull);
        // Known hosts stay known and unicast: every frame A sent reached B, and none reached the attacker.
        Assert.Equal(aSent, b.ReceivedFromCounted - bFromA);
        Assert.Equal(attackerFromA, attacker.ReceivedFromCounted);
        Assert.Equal(pool.SlotCount, pool.Available);
        Assert.True(allocated < 1024 * 1024, $"the loop allocated {allocated:N0} bytes for {Frames:N0} frames");

        output.WriteLine($"MAC flood: {Frames:N0} frames from random sources in {clock.Elapsed.TotalSeconds:F2} s " +
            $"({Frames / clock.Elapsed.TotalSeconds / 1e6:F2} Mframes/s); fdb/entries {loop.Counters.FdbEntries:N0} (bound {MacTable.DefaultMaxEntries:N0}), " +
            $"fdb/table-full {loop.Counters.FdbTableFull:N0}; host A -> B {aSent:N0} frames, all unicast to B");
        output.WriteLine($"  allocated by the loop: {allocated:N0} bytes; GC heap {heapBefore / 1024.0:N0} KiB -> {heapAfter / 1024.0:N0} KiB; " +
            $"working set {workingSetBefore / 1048576.0:N1} MiB -> {workingSetAfter / 1048576.0:N1} MiB");
    }

    [Fact]
    public void BroadcastStorm_OnOnePort_OtherPortsForwardEverything()
    {
        const int Rounds = 40_000;
        using var pool = new FramePool(1024, 2048);
        var loop = new ForwardingLoop(pool, new ManualClock());
        var storm = new TrafficPort("storm", pool, seed: 7) { Source = 0x02_00_00_00_00_5A, Destination = Broadcast };
        var a = new TrafficPort("a", pool) { Source = MacA, Destination = MacB };
        var b = new TrafficPort("b", pool) { Source = MacB, Destination = MacA, CountFrom = MacA };
        var c = new TrafficPort("c", pool) { Source = 0x02_00_00_00_00_0C };
        loop.AddPort(storm);
        loop.AddPort(a);
        loop.AddPort(b);
        loop.AddPort(c);
        a.Remaining = 1;
        b.Remaining = 1;
        loop.RunOnce();
        long cUnicast = c.ReceivedUnicast;   // A's introduction, flooded before B was known

        // Baseline: A to B at full speed (a burst every round) with no storm.
        (double quiet, long quietSent) = Run(loop, a, b, storm, Rounds, stormOn: false);
        // The storm: a full burst of broadcasts every round on its port, flooded to the three others.
        (double stormy, long stormySent) = Run(loop, a, b, storm, Rounds, stormOn: true);

        Assert.Equal(a.Offered, b.ReceivedFromCounted);         // nothing A sent was lost
        Assert.Equal((long)Rounds * Burst.MaxSize, storm.Offered);
        Assert.Equal(storm.Offered, c.ReceivedBroadcast);        // and the storm itself was carried
        Assert.Equal(storm.Offered, a.ReceivedBroadcast);
        Assert.Equal(cUnicast, c.ReceivedUnicast);               // and none of it was flooded: B is known
        Assert.Equal(0, loop.CounterSnapshot().Where(kv => kv.Key.EndsWith("/drop/no-buffer", StringComparison.Ordinal)).Sum(kv => kv.Value));
        Assert.Equal(pool.SlotCount, pool.Available);
        output.WriteLine($"Broadcast storm: {storm.Offered:N0} broadcasts on one port, each flooded to 3 ports; " +
            $"A -> B kept {stormy / 1e6:F2} Mframes/s ({stormySent:N0} frames, none lost) against {quiet / 1e6:F2} Mframes/s without the storm " +
            $"({100 * stormy / quiet:F0}%)");
    }

    private static (double Rate, long Sent) Run(ForwardingLoop loop, TrafficPort a, TrafficPort b, TrafficPort storm, int rounds, bool stormOn)
    {
        long before = b.ReceivedFromCounted;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < rounds; i++)
        {
            a.Remaining = Burst.MaxSize;
            if (stormOn) storm.Remaining = Burst.MaxSize;
            loop.RunOnce();
        }
        clock.Stop();
        long sent = b.ReceivedFromCounted - before;
        return (sent / clock.Elapsed.TotalSeconds, sent);
    }
}

/// <summary>The flood tests run alone, after the parallel tests, so their memory and rate figures are their own.</summary>
[CollectionDefinition(nameof(FloodTests), DisableParallelization = true)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "xunit's naming for a collection definition.")]
public sealed class FloodTestsCollection;
