
namespace VSwitch.Datapath.Tables;

// The value the reverse map holds for an address: every hosts line that has the address, in
// file order, each line its names in wire format (canonical first) followed by a zero byte:
//
//     03 w e b 03 l a b 00   03 w w w 00   00     <- line "web.lab www"
//     02 d b 00   00                             <- a later line "db"
//
// A PTR query is answered with the first name (the first line's canonical name, as the C
// library's reverse lookup does). The rest is there for edits: deleting a name must leave the
// address named by the first line still naming it, and a hosts add must know whether a line
// with these names is already there, both without the hosts file or its lines in memory. The
// common line of one name costs one byte more than the name alone.

/// <summary>Reads and writes the reverse map's values: the names of each hosts line of one address, in file order.</summary>
public static class ReverseLines
{
    /// <summary>The name a PTR query is answered with: the first name of the first line.</summary>
    public static ReadOnlySpan<byte> FirstName(ReadOnlySpan<byte> value) => value[..NameLength(value)];

    /// <summary>The lines of a value, each a list of wire names.</summary>
    public static List<List<byte[]>> Decode(ReadOnlySpan<byte> value)
    {
        var lines = new List<List<byte[]>>();
        int i = 0;
        while (i < value.Length)
        {
            var line = new List<byte[]>();
            while (i < value.Length && value[i] != 0)
            {
                int n = NameLength(value[i..]);
                line.Add(value.Slice(i, n).ToArray());
                i += n;
            }
            i++;
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>The value for <paramref name="lines"/>, or null when no line is left.</summary>
    public static byte[]? Encode(IReadOnlyList<IReadOnlyList<byte[]>> lines)
    {
        int length = 0;
        foreach (IReadOnlyList<byte[]> line in lines) length += line.Sum(n => n.Length) + 1;
        if (length == 0) return null;
        var value = new byte[length];
        int at = 0;
        foreach (IReadOnlyList<byte[]> line in lines)
        {
            foreach (byte[] name in line)
            {
                name.CopyTo(value, at);
                at += name.Length;
            }
            value[at++] = 0;
        }
        return value;
    }

    /// <summary>The value with one more line at the end.</summary>
    public static byte[] Append(ReadOnlySpan<byte> value, IReadOnlyList<byte[]> line)
    {
        var result = new byte[value.Length + line.Sum(n => n.Length) + 1];
        value.CopyTo(result);
        int at = value.Length;
        foreach (byte[] name in line)
        {
            name.CopyTo(result, at);
            at += name.Length;
        }
        return result;
    }

    /// <summary>True when one line holds every name of <paramref name="names"/> (compared without case).</summary>
    public static bool HasLineWith(ReadOnlySpan<byte> value, IReadOnlyList<byte[]> names) =>
        Decode(value).Any(line => names.All(n => line.Any(l => SameName(l, n))));

    /// <summary>The lines without <paramref name="name"/>; a line left with no name is dropped.</summary>
    public static List<List<byte[]>> Without(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name)
    {
        List<List<byte[]>> lines = Decode(value);
        byte[] target = name.ToArray();
        foreach (List<byte[]> line in lines) line.RemoveAll(n => SameName(n, target));
        lines.RemoveAll(l => l.Count == 0);
        return lines;
    }

    /// <summary>True when two wire names are equal but for ASCII case.</summary>
    public static bool SameName(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) return false;
        Span<byte> la = stackalloc byte[a.Length], lb = stackalloc byte[b.Length];
        DnsName.ToLower(a, la);
        DnsName.ToLower(b, lb);
        return la.SequenceEqual(lb);
    }

    // A value is written by Encode from names DnsName.FromText made, so it is well formed.
    private static int NameLength(ReadOnlySpan<byte> wire)
    {
        int i = 0;
        while (wire[i] != 0) i += 1 + wire[i];
        return i + 1;
    }
}
