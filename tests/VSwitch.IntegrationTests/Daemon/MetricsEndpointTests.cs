using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Daemon;

/// <summary>metrics-listen (issue 18): /metrics scraped with a real HTTP client and parsed by a parser we did
/// not write (the Prometheus project's Python client, Debian's python3-prometheus-client); its values equal
/// vswitchctl stats taken in the same quiet moment; a removed port's series disappear.</summary>
public class MetricsEndpointTests
{
    // Reads Prometheus text on stdin, prints {"name{label=value,...}": value} for every sample.
    private const string Parse = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = {}
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                out[s.name + "{" + ",".join(k + "=" + v for k, v in sorted(s.labels.items())) + "}"] = s.value
        print(json.dumps(out))
        """;

    [Fact]
    public async Task Scrape_ParsedByPrometheusOwnParser_EqualsStats_RemovedPortsSeriesGone()
    {
        Privileges.RequireRoot();
        if (!File.Exists("/usr/lib/python3/dist-packages/prometheus_client/parser.py"))
        {
            const string Why = "python3-prometheus-client is missing (.ci/run installs it)";
            if (Privileges.InCi) Assert.Fail(Why);
            Assert.Skip(Why);
        }
        using var env = new TestEnv("vsit-metrics-");
        NetNamespace a = env.Own(new NetNamespace("ma")), b = env.Own(new NetNamespace("mb"));
        VethPair la = env.Own(new VethPair()), lb = env.Own(new VethPair());
        int port = FreePort();
        DaemonProcess daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), "--port", "afpacket:" + la.SwitchSide,
            "--port", "afpacket:" + lb.SwitchSide, "--hosts", "none", "--ethers", "none", "--metrics-listen", $"127.0.0.1:{port}"));
        a.Adopt(la.HostSide, "eth0", "198.18.15.1/24");
        b.Adopt(lb.HostSide, "eth0", "198.18.15.2/24");
        Assert.Contains("5 received", a.Exec("ping", "-c", "5", "-i", "0.2", "-W", "2", "198.18.15.2"));
        Thread.Sleep(500);

        using var http = new HttpClient();
        // A quiet moment is one in which the counters did not move: stats before and after the scrape,
        // and only the counters equal in both are compared (a host's own IPv6 chatter may move the rest).
        Dictionary<string, long> before = Stats(daemon);
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Dictionary<string, double> scraped = Parsed(text);
        Dictionary<string, long> stats = Stats(daemon);

        string rx = $"vswitch_port_rx_packets_total{{port={la.SwitchSide}}}";
        Assert.True(scraped[rx] >= 5, text[..Math.Min(2000, text.Length)]);
        int compared = 0;
        foreach (var (path, value) in stats.Where(kv => kv.Key.StartsWith("port/", StringComparison.Ordinal) || kv.Key.StartsWith("fdb/", StringComparison.Ordinal)
                     || kv.Key.StartsWith("peephole/", StringComparison.Ordinal)))
        {
            if (before.GetValueOrDefault(path, -1) != value) continue;
            VSwitch.Daemon.Metrics.MetricName m = VSwitch.Daemon.Metrics.MetricNames.Of(path)!;
            string key = m.Family + "{" + string.Join(',', m.LabelNames.Zip(m.LabelValues, (n, v) => n + "=" + v).Order(StringComparer.Ordinal)) + "}";
            Assert.True(scraped.TryGetValue(key, out double got), $"{path} ({key}) not in the scrape");
            Assert.True(got == value, $"{path}: stats {value}, scrape {got}");
            compared++;
        }
        Assert.True(compared > 100, $"{compared} compared");

        Assert.Equal(0, daemon.Ctl("port", "del", lb.SwitchSide).ExitCode);
        string after = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain($"port=\"{lb.SwitchSide}\"", after, StringComparison.Ordinal);
        Assert.Contains($"port=\"{la.SwitchSide}\"", after, StringComparison.Ordinal);
    }

    private static Dictionary<string, double> Parsed(string text)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", ["-c", Parse])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Write(text);
        p.StandardInput.Close();
        string json = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "the Prometheus parser refused the text: " + error);
        return JsonSerializer.Deserialize<Dictionary<string, double>>(json)!;
    }

    private static Dictionary<string, long> Stats(DaemonProcess daemon)
    {
        using JsonDocument stats = daemon.CtlJson("stats");
        return stats.RootElement.GetProperty("counters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
