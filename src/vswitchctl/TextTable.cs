using System.Globalization;
using System.Text;
using VSwitch.Daemon.Control.Commands;

namespace VSwitch.Ctl;

/// <summary>Lays a command's <see cref="TextView"/> out for a terminal: aligned columns, numbers to the right.</summary>
public static class TextTable
{
    private const string Gap = "  ";

    public static string Render(TextView view)
    {
        var text = new StringBuilder();
        if (view.Columns is { } columns)
        {
            int n = columns.Count;
            var widths = new int[n];
            var numeric = new bool[n];
            for (int c = 0; c < n; c++)
            {
                widths[c] = columns[c].Length;
                numeric[c] = view.Rows.Count > 0;
            }
            foreach (IReadOnlyList<string> row in view.Rows)
            {
                for (int c = 0; c < n; c++)
                {
                    string cell = c < row.Count ? row[c] : "";
                    widths[c] = Math.Max(widths[c], cell.Length);
                    if (!IsNumber(cell)) numeric[c] = false;
                }
            }
            AppendRow(text, columns, widths, numeric);
            foreach (IReadOnlyList<string> row in view.Rows) AppendRow(text, row, widths, numeric);
        }
        foreach (string line in view.Lines) text.Append(line).Append('\n');
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths, bool[] numeric)
    {
        var line = new StringBuilder();
        for (int c = 0; c < widths.Length; c++)
        {
            string cell = c < cells.Count ? cells[c] : "";
            if (c > 0) line.Append(Gap);
            // The last column is not padded, so that lines carry no trailing spaces.
            if (numeric[c]) line.Append(cell.PadLeft(widths[c]));
            else line.Append(c == widths.Length - 1 ? cell : cell.PadRight(widths[c]));
        }
        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private static bool IsNumber(string cell) =>
        cell.Length > 0 && double.TryParse(cell.TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
