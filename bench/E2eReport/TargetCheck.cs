using System.Text;
using static VSwitch.E2eReport.Format;

namespace VSwitch.E2eReport;

/// <summary>Issue 5's targets against the medians of this run: where we stand, met or missed.</summary>
public sealed class TargetCheck(SampleSet s)
{
    private readonly StringBuilder _md = new();

    public string Markdown()
    {
        _md.AppendLine("## Targets (issue 5)").AppendLine();
        _md.AppendLine("| target | measured | verdict |").AppendLine("| --- | --- | --- |");
        double? afp = s.Median("vswitch-afpacket", "pps64"), ovsAfp = s.Median("ovs-afpacket", "pps64");
        double? xdp = s.Median("ovs-afxdp", "pps64"), bridge = s.Median("bridge", "pps64");
        double? offered = s.Median("vswitch-afpacket", "pps64_offered");
        Row("64 B, AF_PACKET ports: at least 1 Mpps", afp is null ? "-" : $"{Rate(afp.Value)} of {Rate(offered ?? 0)} offered", afp >= 1e6);
        Row("... at least 5x OVS with AF_PACKET ports", Ratio(afp, ovsAfp), At(afp, ovsAfp, 5));
        Row("... above OVS with AF_XDP ports", Ratio(afp, xdp), Above(afp, xdp));
        Row("... above the Linux bridge", Ratio(afp, bridge), Above(afp, bridge));
        double? tap = s.Median("vswitch-tap", "pps64"), ovsTap = s.Median("ovs-tap", "pps64");
        Row("64 B, TAP ports: at least 1.5x OVS tap ports", Ratio(tap, ovsTap), At(tap, ovsTap, 1.5));
        Row("... 2x or more past the per-frame syscall", Ratio(tap, ovsTap), At(tap, ovsTap, 2));
        double? tso = s.Median("ovs-afpacket-tso", "tcp_gbps"), brTcp = s.Median("bridge", "tcp_gbps");
        foreach (string c in new[] { "vswitch-afpacket", "vswitch-tap" })
        {
            double? tcp = s.Median(c, "tcp_gbps");
            Row($"TCP, default offloads, {Cases.Label(c)}: at least OVS + userspace TSO, toward the bridge",
                tcp is null ? "-" : $"{Number(tcp.Value, "0.0")} Gbit/s = {Ratio(tcp, tso)} OVS TSO, {Ratio(tcp, brTcp)} bridge", At(tcp, tso, 1));
        }
        foreach (string c in new[] { "vswitch-afpacket", "vswitch-tap" })
        {
            double? ping = s.Median(c, "ping_avg_ms");
            Row($"ping avg through the idle switch at most 0.1 ms, {Cases.Label(c)}", ping is null ? "-" : $"{Number(ping.Value, "0.000")} ms (bridge {Number(s.Median("bridge", "ping_avg_ms") ?? 0, "0.000")})", ping is null ? null : ping <= 0.1);
        }
        double? pq = s.Median("dns-peephole", "qps"), dq = s.Median("dns-dnsmasq", "qps");
        Row("DNS max QPS: peephole at least dnsmasq's", $"{Rate(pq ?? 0)} against {Rate(dq ?? 0)} = {Ratio(pq, dq)}", At(pq, dq, 1));
        foreach (string m in new[] { "avg", "p99" })
        {
            double? pl = s.Median("dns-peephole", $"fixed_rate_{m}_ms"), dl = s.Median("dns-dnsmasq", $"fixed_rate_{m}_ms");
            Row($"DNS latency at 20k QPS, {m}: at most half of dnsmasq's", $"{Number(pl ?? 0, "0.000")} ms against {Number(dl ?? 0, "0.000")} ms = {Ratio(pl, dl)}",
                pl is null || dl is null ? null : pl <= dl / 2);
        }
        double? on = s.Median("peephole-tax", "tax_on_pps64"), off = s.Median("peephole-tax", "tax_off_pps64");
        Row("peephole tax at most 2 %", on is null || off is null ? "-" : $"{Number((1 - on.Value / off.Value) * 100, "0.0")} %", on is null || off is null ? null : on >= off * 0.98);
        var alloc = AllocationFigures.Of(s);
        Row("zero bytes allocated per frame end to end", alloc.Frames > 0 ? $"{Number(alloc.PerFrame, "0.0000")} B per frame beyond an idle window's, over {Number(alloc.Frames, "#,0")} frames" : "-",
            alloc.Frames > 0 ? alloc.PerFrame < 0.01 : null);
        _md.AppendLine();
        return _md.ToString();
    }

    private static bool? At(double? ours, double? theirs, double factor) =>
        ours is null || theirs is null ? null : ours >= theirs * factor;

    private static bool? Above(double? ours, double? theirs) =>
        ours is null || theirs is null ? null : ours > theirs;

    private void Row(string target, string measured, bool? met) => _md.AppendLine($"| {target} | {measured} | {Verdict(met)} |");
}
