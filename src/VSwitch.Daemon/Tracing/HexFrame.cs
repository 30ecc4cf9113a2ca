using System.Globalization;

namespace VSwitch.Daemon.Tracing;

/// <summary>A frame given as hex text: contiguous (<c>ffffffffffff02...</c>, Wireshark's "copy as hex
/// stream"), or with spaces or colons between bytes or byte groups (<c>ff:ff:...</c>, <c>ffff ffff ...</c>),
/// including tcpdump -xx's lines with their <c>0x0000:</c> offsets.</summary>
public static class HexFrame
{
    public static bool TryParse(string text, out byte[] frame, out string error)
    {
        frame = [];
        var bytes = new List<byte>();
        foreach (string token in text.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            // tcpdump -xx's offset at the start of each line.
            if (token.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && token.EndsWith(':')) continue;
            string t = token.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? token[2..] : token;
            foreach (string part in t.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.Length % 2 != 0)
                {
                    error = $"'{Clip(part)}' is not whole bytes of hex (an odd number of digits)";
                    return false;
                }
                for (int i = 0; i < part.Length; i += 2)
                {
                    if (!byte.TryParse(part.AsSpan(i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                    {
                        error = $"'{Clip(part)}' is not hex";
                        return false;
                    }
                    bytes.Add(b);
                }
            }
        }
        if (bytes.Count == 0)
        {
            error = "no bytes given";
            return false;
        }
        frame = [.. bytes];
        error = "";
        return true;
    }

    /// <summary>Contiguous lower-case hex.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string Clip(string s) => s.Length > 20 ? s[..20] + "..." : s;
}
