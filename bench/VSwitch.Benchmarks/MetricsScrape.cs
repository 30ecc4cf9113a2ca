using System.Net;
using System.Net.Sockets;
using VSwitch.Daemon.Metrics;

namespace VSwitch.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/VSwitch.Benchmarks -- metrics-scrape [ROUNDS] [SECONDS]</c>:
/// the loop's forwarding rate with a Prometheus scrape of every counter every 100 ms (a real HTTP GET
/// of /metrics from the daemon's endpoint, text and all) against none, in interleaved rounds (the
/// stats-readers harness).
/// </summary>
public static class MetricsScrape
{
    public static void Run(int rounds, double seconds) => StatsReaders.Run(new StatsReaders.Reader("scrape every 100 ms",
        TimeSpan.FromMilliseconds(100), loop =>
        {
            int port = FreePort();
            PrometheusEndpoint endpoint = PrometheusEndpoint.Start(new IPEndPoint(IPAddress.Loopback, port), _ => Task.FromResult(loop.Published.Read()));
            var http = new HttpClient();
            var uri = new Uri($"http://127.0.0.1:{port}/metrics");
            return (() => GC.KeepAlive(http.GetStringAsync(uri).GetAwaiter().GetResult()), new Both(http, endpoint));
        }), rounds, seconds);

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private sealed class Both(IDisposable a, IDisposable b) : IDisposable
    {
        public void Dispose()
        {
            a.Dispose();
            b.Dispose();
        }
    }
}
