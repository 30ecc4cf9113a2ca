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
    /// The text in single quotes, cut after <paramref name="maxChars"/> characters (with "..."), with
    /// anything that is not a visible character or a space escaped as <c>\uXXXX</c> (and '\' as <c>\\</c>).
    /// </summary>
    public static string Quote(string text, int maxChars = MaxQuotedChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        var quoted = new StringBuilder(Math.Min(text.Length, maxChars) + 5);
        quoted.Append('\'');
        for (int i = 0; i < text.Length; i++)
        {
            if (i == maxChars)
            {
                quoted.Append("...");
                break;
            }
            char c = text[i];
            if (c == '\\')
                quoted.Append(@"\\");
            else if (c == ' ' || char.IsLetterOrDigit(c) || char.IsPunctuation(c) || char.IsSymbol(c))
                quoted.Append(c);
            else
                quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return quoted.Append('\'').ToString();
    }
}
