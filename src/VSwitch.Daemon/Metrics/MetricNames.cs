using System.Text;

namespace VSwitch.Daemon.Metrics;

/// <summary>A counter path as Prometheus names it: a family, its labels, counter or gauge.</summary>
/// <param name="Family">The metric's name (<c>vswitch_port_rx_packets_total</c>).</param>
/// <param name="LabelNames">Its labels' names (<c>port</c>), the same for every series of the family.</param>
/// <param name="LabelValues">This series' label values.</param>
/// <param name="IsCounter">True for a counter (only grows; <c>_total</c>), false for a gauge.</param>
public sealed record MetricName(string Family, string[] LabelNames, string[] LabelValues, bool IsCounter);

// The switch's counter paths (vswitchctl stats) and their Prometheus names, one rule per shape of
// path. What varies by configuration (a port's or a tenant's name, a table, a drop reason, a
// responder's outcome) is a label; everything else is part of the name. Labels only ever hold
// names the operator or the code chose, never a MAC or an IP address, so a series count is
// bounded by ports x reasons, not by traffic. Values of gauges are levels (entries, slots, state,
// lines); everything else only grows and is a counter with _total.

/// <summary>Maps counter paths to Prometheus metric names and labels.</summary>
public static class MetricNames
{
    private static readonly HashSet<string> Gauges = new(StringComparer.Ordinal)
    {
        "fdb/entries", "frames/pool-slots", "frames/pool-available", "control/clients-active",
        "tables/hosts-journal-pending", "process/gc-heap-bytes", "process/working-set-bytes", "process/threads",
        "process/uptime-seconds",
    };

    /// <summary>The Prometheus name of <paramref name="path"/>; null for a path no rule knows (it is not exported).</summary>
    public static MetricName? Of(string path)
    {
        string[] p = path.Split('/');
        return p switch
        {
            ["port", var port, "drop", var reason] => Counter("port_drops", ["port", "reason"], [port, reason]),
            ["port", var port, "peephole", "rate-limited"] => Counter("port_peephole_rate_limited", ["port"], [port]),
            ["port", var port, "peephole", var responder, var outcome] => Counter("port_peephole_outcomes", ["port", "responder", "outcome"], [port, responder, outcome]),
            ["port", var port, var what] => Counter("port_" + Snake(what), ["port"], [port]),
            ["tenant", var tenant, "peephole", "rate-limited"] => Counter("tenant_peephole_rate_limited", ["tenant"], [tenant]),
            ["tenant", var tenant, "peephole", var responder, var outcome] => Counter("tenant_peephole_outcomes", ["tenant", "responder", "outcome"], [tenant, responder, outcome]),
            ["peephole", "rate-limited"] => Counter("peephole_rate_limited", [], []),
            ["peephole", var responder, var outcome] => Counter("peephole_outcomes", ["responder", "outcome"], [responder, outcome]),
            ["supervisor", var port, "down"] => Gauge("port_down", ["port"], [port]),
            ["supervisor", var port, var what] => Counter("supervisor_" + Snake(what), ["port"], [port]),
            ["tables", var tenant, var table, var what] => Gauge("table_" + Snake(what), ["tenant", "table"], [tenant, table]),
            ["dns-service", var tenant, var what] => Counter("dns_service_" + Snake(what), ["tenant"], [tenant]),
            ["process", "gc", var gen] when gen.StartsWith("gen", StringComparison.Ordinal) && gen.EndsWith("-collections", StringComparison.Ordinal) =>
                Counter("process_gc_collections", ["generation"], [gen[3..^"-collections".Length]]),
            [var area, var what] when area is "fdb" or "frames" or "control" or "tables" or "process" =>
                Gauges.Contains(path) ? Gauge(area + "_" + Snake(what), [], []) : Counter(area + "_" + Snake(what), [], []),
            _ => null,
        };
    }

    private static MetricName Counter(string name, string[] labels, string[] values) => new("vswitch_" + name + "_total", labels, values, true);

    private static MetricName Gauge(string name, string[] labels, string[] values) => new("vswitch_" + name, labels, values, false);

    // rx-packets -> rx_packets; anything outside [a-z0-9_] (never in the code's names) becomes '_'.
    private static string Snake(string word)
    {
        var s = new StringBuilder(word.Length);
        foreach (char c in word) s.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '_');
        return s.ToString();
    }
}
