using System.Globalization;
using System.Text;

namespace VSwitch.Datapath.Files;

/// <summary>Puts text that came from outside (a file, a control client, a frame) into a message or a log line.</summary>
/// <remarks>Text from outside may be huge, or hold line breaks and escape sequences that forge log
/// lines or drive a terminal. Every reason, error and log line that repeats such text goes through
/// <see cref="Quote"/>.</remarks>
public static class UntrustedText
{
    /// <summary>How much is quoted: enough to recognise the text.</summary>
    public const int MaxQuotedChars = 40;

    /// <summary>
    /// The text in single quotes, cut once <paramref name="maxChars"/> characters are written (with "..."), with
    /// anything that is not a visible character or a space escaped as <c>\uXXXX</c> (and '\' as <c>\\</c>).
    /// </summary>
    public static string Quote(string text, int maxChars = MaxQuotedChars) => $"'{Escape(text, maxChars)}'";

    /// <summary>As <see cref="Quote"/>, without the quotes: for text that sits inside a word of a message.</summary>
    public static string Escape(string text, int maxChars = MaxQuotedChars) => Escaped(text, maxChars, controlsOnly: false);

    /// <summary>
    /// A message composed of our own words and values already quoted, bounded as a whole: control
    /// characters escaped (a value that slipped through unquoted still cannot break a log line) and
    /// the text cut after <paramref name="maxChars"/> characters (with "...").
    /// </summary>
    public static string Bound(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= maxChars && !text.Any(char.IsControl) ? text : Escaped(text, maxChars, controlsOnly: true);
    }

    // Escapes what is not a visible character or a space (and a backslash), or only control characters,
    // and cuts the text once maxChars characters are written: counted after escaping, so escapes
    // cannot push the text past its bound.
    private static string Escaped(string text, int maxChars, bool controlsOnly)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(Math.Min(text.Length, maxChars) + 3);
        foreach (char c in text)
        {
            if (escaped.Length >= maxChars)
            {
                escaped.Append("...");
                break;
            }
            bool visible = c == ' ' || char.IsLetterOrDigit(c) || char.IsPunctuation(c) || char.IsSymbol(c);
            if (controlsOnly ? char.IsControl(c) : !visible)
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else if (!controlsOnly && c == '\\')
                escaped.Append(@"\\");
            else
                escaped.Append(c);
        }
        return escaped.ToString();
    }
}
