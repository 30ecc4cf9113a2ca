using System.Net;
using Prometheus;

namespace VSwitch.Daemon.Metrics;

// /metrics for Prometheus (metrics-listen). The exporter is prometheus-net: stable for years and
// it writes the names it is given, where OpenTelemetry's Prometheus exporter is still a beta that
// rewrites names (units appended, dots turned). Nothing is counted twice: before each scrape the
// daemon's counter snapshot (the same one vswitchctl stats reads, published by the loop, so a
// scrape never stops forwarding) is copied into the registry, named by MetricNames. A series whose
// path is gone (a removed port) is removed; a counter that went back (a re-opened port starts
// again at 0) is removed and made again, which Prometheus reads as a counter reset.

/// <summary>Serves the daemon's counters as Prometheus text at <c>http://ADDR:PORT/metrics</c>.</summary>
internal sealed class PrometheusEndpoint : IDisposable
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly MetricFactory _factory;
    private readonly Func<CancellationToken, Task<List<KeyValuePair<string, long>>>> _read;
    private readonly Dictionary<string, Collector> _families = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MetricServer _server;

    private PrometheusEndpoint(IPEndPoint listen, Func<CancellationToken, Task<List<KeyValuePair<string, long>>>> read)
    {
        _read = read;
        _factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        _registry.AddBeforeCollectCallback(UpdateAsync);
        string host = listen.Address.Equals(IPAddress.Any) || listen.Address.Equals(IPAddress.IPv6Any) ? "+"
            : listen.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{listen.Address}]" : listen.Address.ToString();
        _server = new MetricServer(host, listen.Port, "metrics/", _registry);
    }

    /// <summary>Starts serving; <paramref name="read"/> gives the counters by path (<c>Daemon.CountersAsync</c>).</summary>
    /// <exception cref="IOException">The address cannot be listened on (in use, not this host's).</exception>
    public static PrometheusEndpoint Start(IPEndPoint listen, Func<CancellationToken, Task<List<KeyValuePair<string, long>>>> read)
    {
        var endpoint = new PrometheusEndpoint(listen, read);
        try
        {
            endpoint._server.Start();
        }
        catch (Exception e) when (e is HttpListenerException or InvalidOperationException)
        {
            endpoint.Dispose();
            throw new IOException($"metrics-listen {listen}: cannot listen: {e.Message}", e);
        }
        return endpoint;
    }

    private async Task UpdateAsync(CancellationToken cancel)
    {
        List<KeyValuePair<string, long>> counters = await _read(cancel).ConfigureAwait(false);
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var seen = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var (path, value) in counters)
            {
                if (MetricNames.Of(path) is not MetricName m) continue;
                if (!seen.TryGetValue(m.Family, out HashSet<string>? series)) seen[m.Family] = series = new(StringComparer.Ordinal);
                series.Add(string.Join('\u0001', m.LabelValues));
                if (m.IsCounter)
                {
                    var family = (Counter)Family(m, path);
                    Counter.Child child = family.WithLabels(m.LabelValues);
                    if (value < child.Value)
                    {
                        child.Remove();
                        child = family.WithLabels(m.LabelValues);
                    }
                    child.IncTo(value);
                }
                else
                {
                    ((Gauge)Family(m, path)).WithLabels(m.LabelValues).Set(value);
                }
            }
            foreach (var (name, family) in _families)
            {
                HashSet<string>? live = seen.GetValueOrDefault(name);
                IEnumerable<string[]> all = family is Counter c ? c.GetAllLabelValues() : ((Gauge)family).GetAllLabelValues();
                foreach (string[] labels in all.ToList())
                {
                    if (live is not null && live.Contains(string.Join('\u0001', labels))) continue;
                    if (family is Counter counter) counter.RemoveLabelled(labels);
                    else ((Gauge)family).RemoveLabelled(labels);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private Collector Family(MetricName m, string path)
    {
        if (_families.TryGetValue(m.Family, out Collector? family)) return family;
        string help = $"vswitchctl stats {Shape(path, m)}";
        family = m.IsCounter ? _factory.CreateCounter(m.Family, help, m.LabelNames) : _factory.CreateGauge(m.Family, help, m.LabelNames);
        _families[m.Family] = family;
        return family;
    }

    // The path with its label values named, for the help line: port/PORT/rx-packets.
    private static string Shape(string path, MetricName m)
    {
        string[] parts = path.Split('/');
        for (int i = 0; i < parts.Length; i++)
        {
            int label = Array.IndexOf(m.LabelValues, parts[i]);
            if (label >= 0) parts[i] = m.LabelNames[label].ToUpperInvariant();
        }
        return string.Join('/', parts);
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        _gate.Dispose();
    }
}
