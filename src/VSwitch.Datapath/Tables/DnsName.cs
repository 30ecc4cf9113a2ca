using System.Runtime.CompilerServices;
using System.Text;

namespace VSwitch.Datapath.Tables;

/// <summary>Domain names in wire format (length-prefixed labels ending with the root's zero byte).</summary>
/// <remarks>The responder never turns a name into a string: it measures the name in the message,
/// folds it to lower case into a stack buffer, and looks that up. Strings appear only when
/// tables are built and shown.</remarks>
public static class DnsName
{
    public const int MaxLength = 255;
    public const int MaxLabelLength = 63;

    /// <summary>
    /// Measures the uncompressed name at <paramref name="offset"/>: its wire length, root byte included.
    /// </summary>
    /// <returns>False for a compression pointer, a reserved label type, a label over 63 bytes, a
    /// name over 255 bytes, or a name that runs past the message.</returns>
    public static bool TryMeasure(ReadOnlySpan<byte> message, int offset, out int length)
    {
        length = 0;
        int i = offset;
        while (true)
        {
            if ((uint)i >= (uint)message.Length) return false;
            int label = message[i];
            if (label == 0) break;
            // 0xC0 is a compression pointer and 0x40/0x80 are reserved: a question we answer is plain.
            if (label > MaxLabelLength) return false;
            i += 1 + label;
            if (i - offset + 1 > MaxLength) return false;
        }
        length = i - offset + 1;
        return true;
    }

    /// <summary>Copies a wire name with ASCII letters folded to lower case (DNS names compare case-insensitively, RFC 4343).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ToLower(ReadOnlySpan<byte> wire, Span<byte> destination)
    {
        for (int i = 0; i < wire.Length; i++)
        {
            byte b = wire[i];
            destination[i] = (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
        }
    }

    /// <summary>
    /// True when <paramref name="name"/> is <paramref name="zone"/> or below it, label-aligned;
    /// <paramref name="suffixOffset"/> is where the zone starts inside the name. Both in lower case.
    /// </summary>
    public static bool IsAtOrBelow(ReadOnlySpan<byte> name, ReadOnlySpan<byte> zone, out int suffixOffset)
    {
        suffixOffset = name.Length - zone.Length;
        if (suffixOffset < 0 || !name[suffixOffset..].SequenceEqual(zone)) return false;
        // The suffix must begin on a label boundary: walk the labels until we reach or pass it.
        int i = 0;
        while (i < suffixOffset) i += 1 + name[i];
        return i == suffixOffset;
    }

    /// <summary>The parent of a wire name (the name without its first label); the root has none.</summary>
    public static ReadOnlySpan<byte> Parent(ReadOnlySpan<byte> name) => name[0] == 0 ? name : name[(1 + name[0])..];

    /// <summary>Turns text (<c>host.example</c>, a trailing dot allowed) into a wire name, case kept. Cold path.</summary>
    /// <exception cref="ArgumentException">The text is not a valid name.</exception>
    public static byte[] FromText(string text)
    {
        ReadOnlySpan<char> name = text.EndsWith('.') ? text.AsSpan(0, text.Length - 1) : text;
        // Each label's dot becomes its length byte, plus one length byte in front and the root at the end.
        var bytes = new byte[name.IsEmpty ? 1 : name.Length + 2];
        Write(text, bytes);
        return bytes;
    }

    /// <summary>Writes <paramref name="text"/> as a wire name into <paramref name="destination"/>
    /// (at least 255 bytes, or the name's length) and returns its length; throws as <see cref="FromText"/> does.</summary>
    public static int Write(ReadOnlySpan<char> text, Span<byte> destination)
    {
        ReadOnlySpan<char> name = text.EndsWith('.') ? text[..^1] : text;
        int length = name.IsEmpty ? 1 : name.Length + 2;
        if (length > MaxLength) throw new ArgumentException($"Name '{text}' is longer than {MaxLength} bytes on the wire.");
        int at = 0;
        while (!name.IsEmpty)
        {
            int dot = name.IndexOf('.');
            ReadOnlySpan<char> label = dot < 0 ? name : name[..dot];
            if (label.Length is 0 or > MaxLabelLength)
                throw new ArgumentException($"Name '{text}' has an empty label or one over {MaxLabelLength} characters.");
            destination[at++] = (byte)label.Length;
            at += Encoding.ASCII.GetBytes(label, destination[at..]);
            name = dot < 0 ? default : name[(dot + 1)..];
        }
        destination[at] = 0;
        return length;
    }

    /// <summary>A wire name in lower case, the form table keys take.</summary>
    public static byte[] KeyFromText(string text)
    {
        byte[] wire = FromText(text);
        ToLower(wire, wire);
        return wire;
    }

    /// <summary>Wire name to text without the trailing dot (the root is "."). Cold path.</summary>
    public static string ToText(ReadOnlySpan<byte> wire)
    {
        if (wire.Length == 0 || wire[0] == 0) return ".";
        var b = new StringBuilder();
        for (int i = 0; i < wire.Length && wire[i] != 0; i += 1 + wire[i])
        {
            if (b.Length > 0) b.Append('.');
            b.Append(Encoding.ASCII.GetString(wire.Slice(i + 1, wire[i])));
        }
        return b.ToString();
    }
}
