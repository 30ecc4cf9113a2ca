using System.Buffers.Binary;

namespace VSwitch.Datapath.Tables;

// The value the reverse map holds for an address: every hosts line that has the address, in
// file order, each line its names followed by a zero byte. A name is held one of two ways:
//
//   - FF h h h h: a reference, the 32-bit hash of the name's key in the names map (little-endian),
//     when the name as written is all lower case and so is that key. The name is found again by
//     probing the names map for keys of that hash whose record holds this address: a million-name
//     table stores each name once, not twice (5 bytes here instead of some 25).
//   - the name in wire format, as written, when it has upper-case letters, so that a PTR answer
//     carries the name as the hosts file spells it, as dnsmasq's does.
//
//     FF 1a 2b 3c 4d   03 W w w 00   00    <- line "web.lab Www" (web.lab by reference)
//     FF 5e 6f 70 81   00                  <- a later line "db"
//
// 0xFF cannot begin a wire name (labels are at most 63 bytes), and entries are read by length,
// so a zero byte inside a hash is never taken for a line's end. The hash is the process's own
// (randomly seeded): these values live only in memory, rebuilt at every load.
//
// A PTR query is answered with the first name (the first line's canonical name, as the C
// library's reverse lookup does). The rest is there for edits: deleting a name must leave the
// address named by the first line still naming it, and a hosts add must know whether a line
// with these names is already there, both without the hosts file or its lines in memory.

/// <summary>Reads and writes the reverse map's values: the names of each hosts line of one address, in file order.</summary>
public static class ReverseLines
{
    private const byte Reference = 0xFF;
    private const int ReferenceLength = 5;

    /// <summary>The most bytes one name takes in a value.</summary>
    public const int MaxEntryLength = DnsName.MaxLength;

    /// <summary>Writes <paramref name="wire"/> (a name as written, in wire format) as an entry of a
    /// line: a reference when it is all lower case, else the name itself.</summary>
    /// <returns>The bytes written.</returns>
    public static int WriteEntry(ReadOnlySpan<byte> wire, Span<byte> destination)
    {
        if (!IsLowerCase(wire))
        {
            wire.CopyTo(destination);
            return wire.Length;
        }
        destination[0] = Reference;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], BlobMap.HashOf(wire));
        return ReferenceLength;
    }


    /// <summary>The lines of a value, each a list of wire names, references resolved in <paramref name="names"/>.</summary>
    public static List<List<byte[]>> Decode(ReadOnlySpan<byte> value, BlobMap names, ReadOnlySpan<byte> address)
    {
        var lines = new List<List<byte[]>>();
        int i = 0;
        while (i < value.Length)
        {
            var line = new List<byte[]>();
            while (i < value.Length && value[i] != 0)
            {
                int n = EntryLength(value[i..]);
                if (TryGetFirstName(value.Slice(i, n), names, address, out ReadOnlySpan<byte> name)) line.Add(name.ToArray());
                i += n;
            }
            i++;
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>The value for <paramref name="lines"/> of wire names, or null when no line is left.</summary>
    public static byte[]? Encode(IReadOnlyList<IReadOnlyList<byte[]>> lines)
    {
        var value = new List<byte>();
        Span<byte> entry = stackalloc byte[MaxEntryLength];
        foreach (IReadOnlyList<byte[]> line in lines)
        {
            foreach (byte[] name in line) value.AddRange(entry[..WriteEntry(name, entry)]);
            value.Add(0);
        }
        return value.Count == 0 ? null : [.. value];
    }

    /// <summary>The value with one more line of wire names at the end.</summary>
    public static byte[] Append(ReadOnlySpan<byte> value, IReadOnlyList<byte[]> line)
    {
        var result = new List<byte>(value.Length + 8 * line.Count + 1);
        result.AddRange(value);
        Span<byte> entry = stackalloc byte[MaxEntryLength];
        foreach (byte[] name in line) result.AddRange(entry[..WriteEntry(name, entry)]);
        result.Add(0);
        return [.. result];
    }

    /// <summary>True when one line holds every name of <paramref name="names"/> (wire names, compared without case).</summary>
    public static bool HasLineWith(ReadOnlySpan<byte> value, IReadOnlyList<byte[]> names)
    {
        foreach (Range line in Lines(value))
        {
            bool all = true;
            foreach (byte[] name in names) all &= LineHolds(value[line], name);
            if (all) return true;
        }
        return false;
    }

    /// <summary>The value without <paramref name="name"/> (a wire name, any case); a line left
    /// with no name is dropped; null when no line is left.</summary>
    public static byte[]? Without(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name)
    {
        var result = new List<byte>(value.Length);
        foreach (Range line in Lines(value))
        {
            int kept = 0;
            ReadOnlySpan<byte> entries = value[line];
            for (int i = 0; i < entries.Length;)
            {
                int n = EntryLength(entries[i..]);
                if (!EntryIs(entries.Slice(i, n), name))
                {
                    result.AddRange(entries.Slice(i, n));
                    kept++;
                }
                i += n;
            }
            if (kept > 0) result.Add(0);
        }
        return result.Count == 0 ? null : [.. result];
    }

    /// <summary>True when two wire names are equal but for ASCII case.</summary>
    public static bool SameName(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        a.Length == b.Length && System.Text.Ascii.EqualsIgnoreCase(a, b);

    // Each line's entries, without its terminating zero.
    private static List<Range> Lines(ReadOnlySpan<byte> value)
    {
        var lines = new List<Range>();
        int start = 0, i = 0;
        while (i < value.Length)
        {
            if (value[i] == 0)
            {
                lines.Add(start..i);
                start = ++i;
                continue;
            }
            i += EntryLength(value[i..]);
        }
        return lines;
    }

    private static bool LineHolds(ReadOnlySpan<byte> entries, ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < entries.Length;)
        {
            int n = EntryLength(entries[i..]);
            if (EntryIs(entries.Slice(i, n), name)) return true;
            i += n;
        }
        return false;
    }

    // A reference stands for a lower-case name: it is the name given, in any case, when the hashes
    // of their keys agree (a different name of the same hash on the same address is left to chance
    // at 2^-32, under a hash seeded afresh by every process).
    private static bool EntryIs(ReadOnlySpan<byte> entry, ReadOnlySpan<byte> name)
    {
        if (entry[0] != Reference) return SameName(entry, name);
        Span<byte> key = stackalloc byte[name.Length];
        DnsName.ToLower(name, key);
        return BinaryPrimitives.ReadUInt32LittleEndian(entry[1..]) == BlobMap.HashOf(key);
    }

    /// <summary>The name of the first entry of <paramref name="entry"/>: the name itself, or the
    /// key in <paramref name="names"/> it refers to whose record holds <paramref name="address"/>.
    /// For a whole value, that is the name a PTR query for the address is answered with (the first
    /// name of the first line).</summary>
    /// <returns>False only when a reference finds no name (the maps disagree: never after a load or an edit).</returns>
    public static bool TryGetFirstName(ReadOnlySpan<byte> entry, BlobMap names, scoped ReadOnlySpan<byte> address, out ReadOnlySpan<byte> name)
    {
        if (entry[0] != Reference)
        {
            name = entry[..EntryLength(entry)];
            return true;
        }
        uint hash = BinaryPrimitives.ReadUInt32LittleEndian(entry[1..]);
        int cursor = -1;
        while (names.NextWithHash(hash, ref cursor, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> record))
        {
            if (new NameRecord(record).Holds(address))
            {
                name = key;
                return true;
            }
        }
        name = default;
        return false;
    }

    private static int EntryLength(ReadOnlySpan<byte> entry)
    {
        if (entry[0] == Reference) return ReferenceLength;
        int i = 0;
        while (entry[i] != 0) i += 1 + entry[i];
        return i + 1;
    }

    private static bool IsLowerCase(ReadOnlySpan<byte> wire)
    {
        foreach (byte b in wire)
        {
            if (b is >= (byte)'A' and <= (byte)'Z') return false;
        }
        return true;
    }
}
