using System.Globalization;
using System.Text;

namespace VSwitch.E2eReport;

/// <summary>An SVG of grouped bars: one group per switch, one bar per series, median values.</summary>
public static class BarChart
{
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];

    public static void Write(StringBuilder svg, double top, string title, string unit,
        IReadOnlyList<string> groups, IReadOnlyList<string> series, Func<int, int, double?> value)
    {
        const double left = 70, width = 860, height = 260, barGap = 4;
        double max = 0;
        for (int g = 0; g < groups.Count; g++)
            for (int k = 0; k < series.Count; k++) max = Math.Max(max, value(g, k) ?? 0);
        max = Nice(max);
        double groupWidth = width / Math.Max(groups.Count, 1);
        double barWidth = (groupWidth - 16) / Math.Max(series.Count, 1) - barGap;
        svg.AppendLine(Invariant($"<text x=\"{left}\" y=\"{top + 16}\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>"));
        double baseY = top + 30 + height;
        for (int t = 0; t <= 4; t++)
        {
            double y = baseY - height * t / 4, v = max * t / 4;
            svg.AppendLine(Invariant($"<line x1=\"{left}\" x2=\"{left + width}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{left - 6}\" y=\"{y + 4}\" font-size=\"11\" text-anchor=\"end\">{Short(v)}{unit}</text>"));
        }
        for (int g = 0; g < groups.Count; g++)
        {
            double x0 = left + g * groupWidth + 8;
            for (int k = 0; k < series.Count; k++)
            {
                double v = value(g, k) ?? 0, h = max > 0 ? height * v / max : 0, x = x0 + k * (barWidth + barGap);
                svg.AppendLine(Invariant($"<rect x=\"{x}\" y=\"{baseY - h}\" width=\"{barWidth}\" height=\"{h}\" fill=\"{Colours[k % Colours.Length]}\"><title>{Escape(groups[g])}, {Escape(series[k])}: {Short(v)}{unit}</title></rect>"));
            }
            foreach ((string line, int i) in Wrap(groups[g]).Select((l, i) => (l, i)))
                svg.AppendLine(Invariant($"<text x=\"{x0 + (groupWidth - 16) / 2}\" y=\"{baseY + 14 + i * 12}\" font-size=\"10\" text-anchor=\"middle\">{Escape(line)}</text>"));
        }
        for (int k = 0; k < series.Count; k++)
        {
            double x = left + width - 120 * (series.Count - k);
            svg.AppendLine(Invariant($"<rect x=\"{x}\" y=\"{top + 6}\" width=\"10\" height=\"10\" fill=\"{Colours[k % Colours.Length]}\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{x + 14}\" y=\"{top + 15}\" font-size=\"11\">{Escape(series[k])}</text>"));
        }
    }

    private static IEnumerable<string> Wrap(string label)
    {
        string[] parts = label.Split(", ");
        return parts.Length == 1 ? [label] : [parts[0], string.Join(", ", parts.Skip(1))];
    }

    private static double Nice(double max)
    {
        if (max <= 0) return 1;
        double step = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (double m in new[] { 1, 2, 2.5, 5, 10 }) if (m * step >= max) return m * step;
        return 10 * step;
    }

    private static string Short(double v) => v >= 1e6 ? Invariant($"{v / 1e6:0.##}M") : v >= 1e3 ? Invariant($"{v / 1e3:0.#}k") : Invariant($"{v:0.##}");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
