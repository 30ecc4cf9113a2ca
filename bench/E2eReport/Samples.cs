using System.Globalization;

namespace VSwitch.E2eReport;

/// <summary>One measured value: round, case (switch or DNS mode), metric, value.</summary>
public sealed record Sample(int Round, string Case, string Metric, double Value);

/// <summary>The spread of one metric over the rounds.</summary>
public sealed record Spread(double Median, double Min, double Max, int Count)
{
    public static Spread? Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return null;
        double[] sorted = [.. values.Order()];
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Spread(median, sorted[0], sorted[^1], n);
    }
}

/// <summary>Every sample of a run, looked up by case and metric.</summary>
public sealed class SampleSet
{
    private readonly List<Sample> _samples;

    private SampleSet(List<Sample> samples) => _samples = samples;

    public IReadOnlyList<Sample> All => _samples;

    /// <summary>Reads run.sh's raw CSV (header round,case,metric,value); a bad line stops with its number.</summary>
    public static SampleSet Read(string path)
    {
        var samples = new List<Sample>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (line == 1 || text.Length == 0) continue;
            string[] f = text.Split(',');
            if (f.Length != 4 || !int.TryParse(f[0], out int round) || !double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new FormatException($"{path}:{line}: expected round,case,metric,value, got '{text}'");
            samples.Add(new Sample(round, f[1], f[2], value));
        }
        return new SampleSet(samples);
    }

    public Spread? Get(string @case, string metric) =>
        Spread.Of([.. _samples.Where(s => s.Case == @case && s.Metric == metric).Select(s => s.Value)]);

    public double? Median(string @case, string metric) => Get(@case, metric)?.Median;

    public bool Has(string @case) => _samples.Any(s => s.Case == @case);
}
