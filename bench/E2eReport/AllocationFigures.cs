namespace VSwitch.E2eReport;

/// <summary>What VSwitch allocated while forwarding, net of what it allocates idle in a window as long.</summary>
public sealed record AllocationFigures(double Windows, double Frames, double BusyBytes, double IdleBytes, double Collections)
{
    /// <summary>Bytes per frame beyond the idle allocation; 0 or below means none can be put on frames.</summary>
    public double PerFrame => Frames > 0 ? Math.Max(0, BusyBytes - IdleBytes * Windows) / Frames : 0;

    public static AllocationFigures Of(SampleSet s, params string[] cases)
    {
        if (cases.Length == 0) cases = ["vswitch-afpacket", "vswitch-tap"];
        double windows = 0, frames = 0, busy = 0, idle = 0, idleWindows = 0, gcs = 0;
        foreach (string c in cases)
        {
            var rows = s.All.Where(x => x.Case == c).ToList();
            windows += rows.Count(x => x.Metric.EndsWith("_frames", StringComparison.Ordinal));
            frames += rows.Where(x => x.Metric.EndsWith("_frames", StringComparison.Ordinal)).Sum(x => x.Value);
            busy += rows.Where(x => x.Metric.EndsWith("_alloc_bytes", StringComparison.Ordinal) && x.Metric != "idle_alloc_bytes").Sum(x => x.Value);
            idle += rows.Where(x => x.Metric == "idle_alloc_bytes").Sum(x => x.Value);
            idleWindows += rows.Count(x => x.Metric == "idle_alloc_bytes");
            gcs += rows.Where(x => x.Metric.EndsWith("_gcs", StringComparison.Ordinal)).Sum(x => x.Value);
        }
        return new AllocationFigures(windows, frames, busy, idleWindows > 0 ? idle / idleWindows : 0, gcs);
    }
}
