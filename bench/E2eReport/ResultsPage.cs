using System.Text;
using static VSwitch.E2eReport.Format;

namespace VSwitch.E2eReport;

/// <summary>The markdown results page: forwarding, ratios, DNS, peephole tax, allocation, targets.</summary>
public sealed class ResultsPage(SampleSet samples, string machine, string chartFile, IReadOnlyList<string> microReports)
{
    private readonly StringBuilder _md = new();

    public string Build()
    {
        _md.AppendLine("# VSwitch against Open vSwitch, the Linux bridge and dnsmasq").AppendLine();
        _md.AppendLine("Written by `bench/e2e/run.sh` (issue 5); re-run with `sudo bench/e2e/run.sh` (`--quick` for a short check).");
        _md.AppendLine("Figures are medians over the rounds with (min-max); every case ran in each round, interleaved.");
        _md.AppendLine("Frames: UDP, sizes on the wire including the 4-byte FCS (64 B = 60 B handed to the device), trafgen pinned to CPU 0,");
        _md.AppendLine("every userspace switch pinned to CPU 1; *offered* is what A's interface sent (and a TAP refused), *at B* what B's interface received.");
        _md.AppendLine().AppendLine("```").Append(machine.TrimEnd()).AppendLine().AppendLine("```").AppendLine();
        _md.AppendLine($"![frames per second by switch and frame size, and DNS queries per second]({chartFile})").AppendLine();
        Forwarding();
        Ratios();
        Dns();
        Tax();
        Allocation();
        Targets();
        Micro();
        return _md.ToString();
    }

    private IEnumerable<(string Id, string Label)> Measured => Cases.Switches.Where(s => samples.Has(s.Id));

    private void Forwarding()
    {
        _md.AppendLine("## Forwarding").AppendLine();
        _md.AppendLine("| switch | 64 B offered | 64 B at B | 512 B at B | 1500 B at B | switch CPU at 64 B | TCP Gbit/s, default offloads | TCP Gbit/s, tx offload off | ping ms min / avg / max / p99 | anchors.md: 64 B, TCP |");
        _md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach ((string id, string label) in Measured)
        {
            string cpu = samples.Get(id, "pps64_switch_cpu_pct") is { } c ? $"{Number(c.Median, "0")} %" : "kernel";
            string ping = string.Join(" / ", new[] { "min", "avg", "max", "p99" }.Select(m => samples.Median(id, $"ping_{m}_ms") is { } v ? Number(v, "0.000") : "-"));
            string anchor = Cases.Anchors.TryGetValue(id, out var a) ? $"{a.Pps}, {a.Tcp}" : "-";
            _md.AppendLine($"| {label} | {Spread(samples.Get(id, "pps64_offered"), Rate)} | {Spread(samples.Get(id, "pps64"), Rate)} | " +
                $"{Spread(samples.Get(id, "pps512"), Rate)} | {Spread(samples.Get(id, "pps1500"), Rate)} | {cpu} | " +
                $"{Spread(samples.Get(id, "tcp_gbps"), v => Number(v, "0.00"))} | {Spread(samples.Get(id, "tcp_txoff_gbps"), v => Number(v, "0.00"))} | {ping} | {anchor} |");
        }
        _md.AppendLine();
        foreach ((string id, string label) in Measured.Where(m => m.Id == "vswitch-afpacket" && samples.Get(m.Id, "pps64_dropped_before_switch") is not null))
        {
            _md.AppendLine($"{label}: of the 64 B frames offered, {Spread(samples.Get(id, "pps64_dropped_before_switch"), Rate)} per second were dropped by the kernel " +
                "before VSwitch read them (its AF_PACKET receive ring was full: `port/NAME/rx-dropped-before-port`); the rest of the difference " +
                "between offered and received was lost before the switch's port (the generator's core delivering) or after it.");
        }
        _md.AppendLine();
        _md.AppendLine("TCP 0 means no connection: Open vSwitch's AF_PACKET ports forward the partial checksums the veths' default transmit offload");
        _md.AppendLine("leaves, so TCP works through them only with `ethtool -K IF tx off` on the hosts (or userspace TSO). VSwitch carries the");
        _md.AppendLine("offload in virtio-net headers on both port kinds and needs nothing switched off.").AppendLine();
    }

    private void Ratios()
    {
        _md.AppendLine("## Ratios (medians)").AppendLine();
        _md.AppendLine("| VSwitch case | against | 64 B | 512 B | 1500 B | TCP default | TCP tx off | ping avg |");
        _md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        (string Ours, string[] Peers)[] pairs =
        [
            ("vswitch-afpacket", ["ovs-afpacket", "ovs-afpacket-tso", "ovs-afxdp", "bridge"]),
            ("vswitch-tap", ["ovs-tap", "ovs-afpacket-tso", "bridge"]),
        ];
        foreach ((string ours, string[] peers) in pairs)
        {
            if (!samples.Has(ours)) continue;
            foreach (string peer in peers.Where(samples.Has))
            {
                string sizes = string.Join(" | ", Cases.Sizes.Select(s => Ratio(samples.Median(ours, $"pps{s}"), samples.Median(peer, $"pps{s}"))));
                _md.AppendLine($"| {Cases.Label(ours)} | {Cases.Label(peer)} | {sizes} | {Ratio(samples.Median(ours, "tcp_gbps"), samples.Median(peer, "tcp_gbps"))} | " +
                    $"{Ratio(samples.Median(ours, "tcp_txoff_gbps"), samples.Median(peer, "tcp_txoff_gbps"))} | {Ratio(samples.Median(ours, "ping_avg_ms"), samples.Median(peer, "ping_avg_ms"))} |");
            }
        }
        _md.AppendLine();
    }

    private void Dns()
    {
        if (!samples.Has("dns-peephole") && !samples.Has("dns-dnsmasq")) return;
        _md.AppendLine("## DNS: VSwitch's peephole against dnsmasq behind the same switch").AppendLine();
        _md.AppendLine("dnsperf in namespace A (4 clients, 200 outstanding, CPU 0), dnsmasq 2.90 in namespace C, VSwitch with AF_PACKET ports between;");
        _md.AppendLine("1,060 names (A, AAAA, PTR; 70/15/15 %). *peephole*: the names are in VSwitch's hosts table and the switch answers;");
        _md.AppendLine("*dnsmasq*: VSwitch's table is empty, so every query crosses the switch to dnsmasq. The responder's rate limit is off");
        _md.AppendLine("(`--peephole-rate-limit 0`) so it does not cap the rate. CPU is the whole machine's (2 cores = 100 %), client included.").AppendLine();
        _md.AppendLine("| answered by | max QPS | avg ms at max | lost % at max | machine CPU at max | CPU µs per query (whole machine) | switch CPU | dnsmasq CPU | avg ms at 20k QPS | p99 ms at 20k QPS |");
        _md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (string mode in new[] { "peephole", "dnsmasq" })
        {
            string c = "dns-" + mode;
            if (!samples.Has(c)) continue;
            _md.AppendLine($"| {mode} | {Spread(samples.Get(c, "qps"), Rate)} | {Spread(samples.Get(c, "max_avg_ms"), v => Number(v, "0.000"))} | " +
                $"{Spread(samples.Get(c, "max_lost_pct"), v => Number(v, "0.00"))} | {Spread(samples.Get(c, "machine_cpu_pct"), v => Number(v, "0") + " %")} | " +
                $"{Spread(samples.Get(c, "machine_cpu_us_per_query"), v => Number(v, "0.0"))} | {Spread(samples.Get(c, "switch_cpu_pct"), v => Number(v, "0") + " %")} | " +
                $"{Spread(samples.Get(c, "dnsmasq_cpu_pct"), v => Number(v, "0") + " %")} | {Spread(samples.Get(c, "fixed_rate_avg_ms"), v => Number(v, "0.000"))} | " +
                $"{Spread(samples.Get(c, "fixed_rate_p99_ms"), v => Number(v, "0.000"))} |");
        }
        _md.AppendLine();
        _md.AppendLine($"Ratios: max QPS peephole/dnsmasq {Ratio(samples.Median("dns-peephole", "qps"), samples.Median("dns-dnsmasq", "qps"))}; " +
            $"latency at 20k QPS peephole/dnsmasq: avg {Ratio(samples.Median("dns-peephole", "fixed_rate_avg_ms"), samples.Median("dns-dnsmasq", "fixed_rate_avg_ms"))}, " +
            $"p99 {Ratio(samples.Median("dns-peephole", "fixed_rate_p99_ms"), samples.Median("dns-dnsmasq", "fixed_rate_p99_ms"))}.").AppendLine();
    }

    private void Tax()
    {
        Spread? on = samples.Get("peephole-tax", "tax_on_pps64"), off = samples.Get("peephole-tax", "tax_off_pps64");
        if (on is null || off is null) return;
        _md.AppendLine("## Peephole tax").AppendLine();
        _md.AppendLine("64-byte UDP frames (not queries) through VSwitch's AF_PACKET ports with a 100,000-name hosts table loaded, against no tables.").AppendLine();
        _md.AppendLine("| tables | 64 B at B | offered |").AppendLine("| --- | --- | --- |");
        _md.AppendLine($"| 100,000 names | {Spread(on, Rate)} | {Spread(samples.Get("peephole-tax", "tax_on_pps64_offered"), Rate)} |");
        _md.AppendLine($"| none | {Spread(off, Rate)} | {Spread(samples.Get("peephole-tax", "tax_off_pps64_offered"), Rate)} |");
        _md.AppendLine().AppendLine($"Tax: {Number((1 - on.Median / off.Median) * 100, "0.0")} % (negative: faster with tables, i.e. within noise).").AppendLine();
    }

    private void Allocation()
    {
        var rows = new List<string>();
        foreach (string c in new[] { "vswitch-afpacket", "vswitch-tap" })
        {
            var a = AllocationFigures.Of(samples, c);
            if (a.Frames > 0)
                rows.Add($"| {Cases.Label(c)} | {Number(a.Windows, "0")} | {Number(a.Frames, "#,0")} | {Number(a.BusyBytes, "#,0")} | {Number(a.IdleBytes, "#,0")} | {Number(a.PerFrame, "0.0000")} | {Number(a.Collections, "0")} |");
        }
        if (rows.Count == 0) return;
        _md.AppendLine("## Allocation in the end-to-end runs").AppendLine();
        _md.AppendLine("`process/allocated-bytes` and the GC counts from `vswitchctl stats`, read before and after every frames-per-second window and");
        _md.AppendLine("around an idle window of the same length with no traffic (what the control requests that read them and the once-a-second");
        _md.AppendLine("supervision allocate). Bytes per frame = (busy-window bytes - idle-window bytes, per window) / frames.").AppendLine();
        _md.AppendLine("| case | windows | frames forwarded | bytes allocated in busy windows | bytes per idle window | bytes per frame | garbage collections |");
        _md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (string r in rows) _md.AppendLine(r);
        _md.AppendLine();
    }

    private void Targets() => _md.Append(new TargetCheck(samples).Markdown());

    private void Micro()
    {
        if (microReports.Count == 0) return;
        _md.AppendLine("## BenchmarkDotNet (short job, same run)").AppendLine();
        _md.AppendLine("`dotnet run -c Release --project bench/VSwitch.Benchmarks -- --filter '*ForwardBurstBenchmarks*' '*PeepholeBenchmarks*' --job short --memory`;");
        _md.AppendLine("Mean is per frame (each invocation moves a burst; OperationsPerInvoke divides by its frames); Allocated is per frame too.").AppendLine();
        foreach (string file in microReports)
        {
            foreach (string line in File.ReadLines(file).SkipWhile(l => !l.StartsWith('|'))) _md.AppendLine(line);
            _md.AppendLine();
        }
    }
}
