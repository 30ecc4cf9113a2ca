using System.Diagnostics.Metrics;
using VSwitch.Daemon.Metrics;
using VSwitch.Tests.Control;

namespace VSwitch.Tests.Metrics;

/// <summary>The daemon's counters as System.Diagnostics.Metrics instruments (what dotnet-counters reads): the
/// values a MeterListener collects equal vswitchctl stats.</summary>
public sealed class SwitchMeterTests
{
    [Fact]
    public async Task Listener_CollectsEveryFamily_ValuesEqualStats()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        int published = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Other tests run daemons in this process too: this daemon's meter only.
            if (instrument.Meter.Name != SwitchMeter.Name || !ReferenceEquals(instrument.Meter.Scope, d.Daemon)) return;
            published++;
            l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name + "{" + string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}")) + "}";
            lock (seen) seen[key] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();

        List<KeyValuePair<string, long>> stats = await d.Daemon.CountersAsync();
        Assert.True(seen.Count > 200, $"{seen.Count} measurements from {published} instruments");
        foreach (var (path, value) in stats.Where(kv => kv.Key.StartsWith("port/", StringComparison.Ordinal)))
        {
            MetricName m = MetricNames.Of(path)!;
            string name = m.IsCounter ? m.Family[..^"_total".Length] : m.Family;
            string key = name + "{" + string.Join(',', m.LabelNames.Zip(m.LabelValues, (n, v) => $"{n}={v}")) + "}";
            Assert.True(seen.TryGetValue(key, out long got), $"{key} not measured");
            Assert.Equal(value, got);
        }
    }
}
