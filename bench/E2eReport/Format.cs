using System.Globalization;

namespace VSwitch.E2eReport;

internal static class Format
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Rate(double v) => v >= 1e6 ? (v / 1e6).ToString("0.00", Inv) + " M" : (v / 1e3).ToString("0", Inv) + " k";

    public static string Number(double v, string format = "0.##") => v.ToString(format, Inv);

    /// <summary>"median (min-max)", or just the median for one round.</summary>
    public static string Spread(Spread? s, Func<double, string> f) =>
        s is null ? "-" : s.Count == 1 ? f(s.Median) : $"{f(s.Median)} ({f(s.Min)}-{f(s.Max)})";

    public static string Ratio(double? a, double? b) =>
        a is null || b is null || b == 0 ? "-" : (a.Value / b.Value).ToString("0.00", Inv) + "x";

    public static string Verdict(bool? met) => met switch { true => "met", false => "**missed**", null => "not measured" };
}
