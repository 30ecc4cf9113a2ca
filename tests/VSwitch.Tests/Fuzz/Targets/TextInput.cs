using System.Text;

namespace VSwitch.Tests.Fuzz.Targets;

/// <summary>What the text-file targets share: bytes to text as the daemon reads files, and the rule for error text.</summary>
internal static class TextInput
{
    /// <summary>The longest error reason a reader may produce: it quotes bad input, clipped, never whole.</summary>
    public const int MaxReasonLength = 400;

    /// <summary>The bytes as <see cref="File.ReadAllText(string)"/> would read them (UTF-8, bad sequences replaced).</summary>
    public static string Decode(ReadOnlySpan<byte> input) => Encoding.UTF8.GetString(input);

    /// <summary>Error reasons are logged and printed to terminals: bounded, one line, no control characters.</summary>
    public static void CheckReason(string what, string reason)
    {
        if (reason.Length == 0) throw new FuzzInvariantException($"{what}: an error with no reason");
        if (reason.Length > MaxReasonLength) throw new FuzzInvariantException($"{what}: a reason of {reason.Length} characters");
        foreach (char c in reason)
        {
            if (char.IsControl(c)) throw new FuzzInvariantException($"{what}: control character U+{(int)c:X4} in the reason: {reason}");
        }
    }
}
