using System.Text;

namespace VSwitch.Tests.Replay;

/// <summary>Compares the frames a port emitted with the frames it had to, and says exactly where they part.</summary>
public static class PcapDiff
{
    /// <summary>Null when equal; otherwise which frame, which byte, and both frames in hex.</summary>
    public static string? Compare(string label, IReadOnlyList<byte[]> expected, IReadOnlyList<byte[]> actual)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            byte[] e = expected[i], a = actual[i];
            int offset = e.AsSpan().CommonPrefixLength(a);
            if (offset == e.Length && e.Length == a.Length) continue;
            return $"{label}: frame {i} differs at byte {offset} (expected {e.Length} bytes, got {a.Length})\n" +
                   $"expected:\n{HexDump(e, offset)}got:\n{HexDump(a, offset)}";
        }
        if (expected.Count != actual.Count)
        {
            int i = Math.Min(expected.Count, actual.Count);
            string extra = expected.Count > actual.Count
                ? "missing frame " + i + ":\n" + HexDump(expected[i], -1)
                : "unexpected frame " + i + ":\n" + HexDump(actual[i], -1);
            return $"{label}: expected {expected.Count} frames, got {actual.Count}; {extra}";
        }
        return null;
    }

    /// <summary>16 bytes a line, the line holding <paramref name="mark"/> flagged with '&lt;'.</summary>
    public static string HexDump(ReadOnlySpan<byte> bytes, int mark)
    {
        var b = new StringBuilder();
        for (int line = 0; line < bytes.Length; line += 16)
        {
            ReadOnlySpan<byte> row = bytes.Slice(line, Math.Min(16, bytes.Length - line));
            b.Append($"  {line:x4}  ").Append(Convert.ToHexString(row).ToLowerInvariant());
            if (mark >= line && mark < line + 16) b.Append("  <");
            b.Append('\n');
        }
        return b.ToString();
    }
}
