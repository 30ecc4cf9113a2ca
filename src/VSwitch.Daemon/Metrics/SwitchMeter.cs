using System.Diagnostics.Metrics;

namespace VSwitch.Daemon.Metrics;

// The same counters as System.Diagnostics.Metrics instruments on the meter "VSwitch", so that
// dotnet-counters (dotnet-counters monitor -p PID --counters VSwitch) and any MeterListener read
// them without a scrape endpoint. One observable instrument per Prometheus family, named like it
// (without _total), its series as tags. Instruments cost nothing until a listener collects;
// then one collection reads the counter snapshot once for every instrument (cached for half a
// second), the same snapshot vswitchctl stats reads.

/// <summary>The daemon's counters as observable instruments of the meter <see cref="Name"/>.</summary>
internal sealed class SwitchMeter : IDisposable
{
    public const string Name = "VSwitch";
    private static readonly TimeSpan CacheFor = TimeSpan.FromMilliseconds(500);

    private readonly Meter _meter;
    private readonly Func<CancellationToken, Task<List<KeyValuePair<string, long>>>> _read;
    private readonly Lock _sync = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private List<(MetricName Name, long Value)>? _snapshot;
    private long _snapshotAt;

    /// <param name="read">The counters by path (<c>Daemon.CountersAsync</c>).</param>
    /// <param name="paths">The counter paths there are now: one instrument per family among them.</param>
    /// <param name="owner">The meter's scope (the daemon), which tells one daemon's instruments from another's in one process.</param>
    public SwitchMeter(Func<CancellationToken, Task<List<KeyValuePair<string, long>>>> read, IEnumerable<string> paths, object owner)
    {
        _read = read;
        _meter = new Meter(new MeterOptions(Name) { Version = Hosting.ProgramVersion.Release, Scope = owner });
        foreach (string path in paths)
        {
            if (MetricNames.Of(path) is not MetricName m || !_families.Add(m.Family)) continue;
            string name = m.IsCounter ? m.Family[..^"_total".Length] : m.Family;
            string family = m.Family;
            if (m.IsCounter) _meter.CreateObservableCounter(name, () => Observe(family), description: "vswitchctl stats " + path);
            else _meter.CreateObservableGauge(name, () => Observe(family), description: "vswitchctl stats " + path);
        }
    }

    private IEnumerable<Measurement<long>> Observe(string family)
    {
        foreach ((MetricName name, long value) in Snapshot())
        {
            if (name.Family != family) continue;
            var tags = new KeyValuePair<string, object?>[name.LabelNames.Length];
            for (int i = 0; i < tags.Length; i++) tags[i] = new(name.LabelNames[i], name.LabelValues[i]);
            yield return new Measurement<long>(value, tags);
        }
    }

    private List<(MetricName, long)> Snapshot()
    {
        lock (_sync)
        {
            if (_snapshot is not null && Environment.TickCount64 - _snapshotAt < (long)CacheFor.TotalMilliseconds) return _snapshot;
            // Called on a listener's thread, never the loop's: waiting here stops no frame.
            List<KeyValuePair<string, long>> counters = _read(CancellationToken.None).GetAwaiter().GetResult();
            _snapshot = [.. counters.Select(kv => (MetricNames.Of(kv.Key), kv.Value)).Where(x => x.Item1 is not null).Select(x => (x.Item1!, x.Value))];
            _snapshotAt = Environment.TickCount64;
            return _snapshot;
        }
    }

    public void Dispose() => _meter.Dispose();
}
