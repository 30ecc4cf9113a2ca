using System.Diagnostics;
using System.Net;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/VSwitch.Benchmarks -- tables</c>: memory per name,
/// lookup cost against table size, and GC pauses while a million-name table is edited under load.
/// </summary>
/// <remarks>Not a BenchmarkDotNet suite: these are whole-process figures (heap size, collector
/// pauses) that a micro benchmark's harness would disturb. It prints a small report.</remarks>
public static class TableScale
{
    public static void Run()
    {
        Console.WriteLine("# Table scale");
        Measure(1_000);
        Measure(100_000);
        PeepholeTables big = Measure(1_000_000);
        EditUnderLoad(big, edits: 2000);
        big = null!;
        Tenants(count: 1000, names: 1000);
    }

    // A thousand tenants of a thousand names each: what one tenant costs when nothing is shared.
    private static void Tenants(int count, int names)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var tenants = new List<VSwitch.Datapath.Tenancy.Tenant>(count);
        for (int t = 0; t < count; t++)
        {
            var hosts = new List<HostsEntry>(names);
            for (int i = 0; i < names; i++)
                hosts.Add(new HostsEntry(new IPAddress([198, 18, (byte)(i >> 8), (byte)i]), $"h{i}.t{t}.corp", [], i + 1));
            tenants.Add(new VSwitch.Datapath.Tenancy.Tenant($"t{t}", PeepholeTables.Build(hosts, [], BenchTables.Settings, "", out _)));
        }
        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(tenants);
        Console.WriteLine($"tenants: {count} x {names} names: {(after - before) / (double)count / 1024:F1} KiB per tenant ({(after - before) / (double)count / names:F1} B/name), {(after - before) / 1048576.0:F0} MiB in all");
    }

    private static PeepholeTables Measure(int names)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        PeepholeTables tables = BenchTables.Build(names - 1);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        long mapBytes = tables.Names.SizeInBytes + tables.Reverse.SizeInBytes + tables.Neighbors.SizeInBytes;

        // Look up names spread over the table, in wire format and lower case, as the responder does.
        var keys = Enumerable.Range(0, 4096).Select(i => DnsName.KeyFromText($"h{(int)((long)i * 7919 % Math.Max(1, names - 1))}.bench.cluster.local")).ToArray();
        const int Lookups = 4_000_000;
        int found = 0;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < Lookups; i++) found += tables.Names.TryGet(keys[i & 4095], out _) ? 1 : 0;
        sw.Stop();
        Console.WriteLine($"names {names,9:N0}: heap {(after - before) / (double)names,6:F1} B/name (maps {mapBytes / (double)names:F1} B/name), " +
            $"lookup {sw.Elapsed.TotalNanoseconds / Lookups,5:F1} ns (hits {found * 100.0 / Lookups:F0}%)");
        return tables;
    }

    private static void EditUnderLoad(PeepholeTables tables, int edits)
    {
        using var pool = new FramePool(1024, frameCapacity: 2048);
        // No reply rate limit: this drives one client at full speed to measure edits under load.
        var loop = new ForwardingLoop(pool, MonotonicClock.Instance, new SwitchOptions { PeepholeRateLimit = 0 });
        var client = new SyntheticPort("client", pool, BenchFrames.DnsQuery(BenchFrames.MacA, BenchFrames.MacB, "h4242.bench.cluster.local"));
        var server = new SyntheticPort("server", pool, BenchFrames.Udp64(BenchFrames.MacB, BenchFrames.MacA));
        loop.AddPort(client);
        loop.AddPort(server);
        loop.Peephole.Binding = TableBinding.For(tables, [1]);

        using var stop = new CancellationTokenSource();
        long rounds = 0;
        TimeSpan worstRound = TimeSpan.Zero;
        var forwarder = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                long t0 = Stopwatch.GetTimestamp();
                client.Pending = Burst.MaxSize;
                server.Pending = 1;
                loop.RunOnce();
                TimeSpan took = Stopwatch.GetElapsedTime(t0);
                if (took > worstRound && rounds > 1000) worstRound = took;
                rounds++;
            }
        }) { IsBackground = true };

        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        TimeSpan pausedBefore = GC.GetTotalPauseDuration();
        forwarder.Start();
        var sw = Stopwatch.StartNew();
        PeepholeTables current = tables;
        for (int i = 0; i < edits; i++)
        {
            current = current.WithHost(new IPAddress([198, 19, (byte)(200 + (i >> 8 & 15)), (byte)i]), [$"edit{i}.bench.cluster.local"]);
            loop.Peephole.Binding = TableBinding.For(current, [1]);
        }
        sw.Stop();
        Thread.Sleep(200);
        stop.Cancel();
        forwarder.Join();
        TimeSpan paused = GC.GetTotalPauseDuration() - pausedBefore;
        var lastGc = GC.GetGCMemoryInfo(GCKind.Any);
        Console.WriteLine($"edits: {edits} WithHost edits of the 1,000,000-name table under load, {sw.Elapsed.TotalMilliseconds / edits:F3} ms each");
        Console.WriteLine($"  collections gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}; " +
            $"total pause {paused.TotalMilliseconds:F1} ms; last GC pause {lastGc.PauseDurations[0].TotalMilliseconds:F2} ms");
        Console.WriteLine($"  forwarding rounds {rounds:N0} (32 queries each, all answered); worst round {worstRound.TotalMilliseconds:F2} ms");
        Console.WriteLine($"  answered: {loop.CounterSnapshot().Single(kv => kv.Key == "peephole/dns/replied").Value:N0}");
    }
}
