using System.Net;
using VSwitch.Daemon.Metrics;
using VSwitch.Tests.Control;

namespace VSwitch.Tests.Metrics;

/// <summary>Every counter the daemon has gets one Prometheus series: a conventional name, labels that are
/// names (never an address), one label set per family.</summary>
public sealed class MetricNamesTests
{
    [Fact]
    public async Task EveryCounterOfADaemon_MapsToOneSeries_LabelsConsistentPerFamily()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        List<KeyValuePair<string, long>> counters = await d.Daemon.CountersAsync();
        Assert.True(counters.Count > 200);
        var series = new HashSet<string>(StringComparer.Ordinal);
        var labelsOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, _) in counters)
        {
            MetricName? m = MetricNames.Of(path);
            Assert.True(m is not null, $"no metric for {path}");
            Assert.Matches("^vswitch_[a-z0-9_]+$", m.Family);
            Assert.Equal(m.IsCounter, m.Family.EndsWith("_total", StringComparison.Ordinal));
            Assert.True(series.Add(m.Family + "{" + string.Join(',', m.LabelValues) + "}"), $"{path}: a second path for the same series");
            string names = string.Join(',', m.LabelNames);
            Assert.Equal(labelsOf.GetValueOrDefault(m.Family, names), names);
            labelsOf[m.Family] = names;
            foreach (string value in m.LabelValues)
                Assert.False((IPAddress.TryParse(value, out _) && (value.Contains('.', StringComparison.Ordinal) || value.Contains(':', StringComparison.Ordinal))) || value.Count(c => c == ':') == 5, $"{path}: an address as a label value");
        }
    }

    [Theory]
    [InlineData("port/vs0/rx-packets", "vswitch_port_rx_packets_total", "port=vs0", true)]
    [InlineData("port/vs0/drop/vlan-not-allowed", "vswitch_port_drops_total", "port=vs0,reason=vlan-not-allowed", true)]
    [InlineData("port/vs0/peephole/dns/replied", "vswitch_port_peephole_outcomes_total", "port=vs0,responder=dns,outcome=replied", true)]
    [InlineData("tenant/blue/peephole/arp/replied", "vswitch_tenant_peephole_outcomes_total", "tenant=blue,responder=arp,outcome=replied", true)]
    [InlineData("peephole/rate-limited", "vswitch_peephole_rate_limited_total", "", true)]
    [InlineData("supervisor/vs0/down", "vswitch_port_down", "port=vs0", false)]
    [InlineData("tables/default/hosts/bad-lines", "vswitch_table_bad_lines", "tenant=default,table=hosts", false)]
    [InlineData("fdb/entries", "vswitch_fdb_entries", "", false)]
    [InlineData("fdb/learned", "vswitch_fdb_learned_total", "", true)]
    [InlineData("process/gc/gen2-collections", "vswitch_process_gc_collections_total", "generation=2", true)]
    [InlineData("dns-service/blue/udp-queries", "vswitch_dns_service_udp_queries_total", "tenant=blue", true)]
    public void Names_FollowPrometheusConventions(string path, string family, string labels, bool counter)
    {
        MetricName m = MetricNames.Of(path)!;
        Assert.Equal(family, m.Family);
        Assert.Equal(labels, string.Join(',', m.LabelNames.Zip(m.LabelValues, (n, v) => n + "=" + v)));
        Assert.Equal(counter, m.IsCounter);
    }

    [Fact]
    public void UnknownShape_NotExported() => Assert.Null(MetricNames.Of("something/new/deep/er/path"));
}
