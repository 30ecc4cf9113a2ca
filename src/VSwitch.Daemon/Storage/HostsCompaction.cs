using System.Net;
using VSwitch.Datapath.Files;

namespace VSwitch.Daemon.Storage;

// Folds journal operations into a hosts file in one streaming pass, so a file of a million
// lines is never held in memory. What the result says is what applying the operations one by
// one to the file would say:
//   - every line of the file predates every operation, so a removed name goes from every line of
//     the file; a line left with no name goes; a line that loses a name is written again as
//     "ADDRESS<tab>NAMES" with its comment kept; every other line is copied byte for byte;
//   - added lines go at the end in order, and a removal later in the journal removes its name
//     from them too;
//   - an added line that the file already holds (the journal was folded in once already and the
//     switch stopped before it was cut: folding again must change nothing) is not added twice.

/// <summary>Writes a hosts file with journal operations folded in.</summary>
public static class HostsCompaction
{
    /// <summary>Streams <paramref name="hostsPath"/> with <paramref name="ops"/> applied to <paramref name="emit"/>, one line at a time (without its '\n').</summary>
    /// <returns>False with the reason when the file could not be read.</returns>
    public static bool TryFold(string hostsPath, IReadOnlyList<HostsOperation> ops, Action<string> emit, out string reason)
    {
        var removed = new HashSet<string>(ops.Where(o => !o.IsAdd).Select(o => o.Names[0]), StringComparer.OrdinalIgnoreCase);
        var adds = ops.Where(o => o.IsAdd).ToList();
        var addedAddresses = new HashSet<string>(adds.Select(o => o.Address!.ToString()), StringComparer.OrdinalIgnoreCase);
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool ok = BoundedFile.TryReadLines(hostsPath, (line, _) =>
        {
            string? kept = Rewrite(line, removed, out string[] fields);
            if (kept is null) return;
            if (fields.Length >= 2 && addedAddresses.Contains(fields[0]) && IPAddress.TryParse(fields[0], out IPAddress? a))
                present.Add(Key(a, fields[1..]));
            emit(kept);
        }, out _, out reason);
        if (!ok) return false;
        reason = "";

        // The lines the journal appends, with the removals that come after each applied to it.
        var appended = new List<(IPAddress Address, List<string> Names)>();
        foreach (HostsOperation op in ops)
        {
            if (op.IsAdd)
            {
                if (!present.Contains(Key(op.Address!, op.Names))) appended.Add((op.Address!, [.. op.Names]));
                continue;
            }
            foreach (var line in appended) line.Names.RemoveAll(n => Same(n, op.Names[0]));
            appended.RemoveAll(l => l.Names.Count == 0);
        }
        foreach (var (address, names) in appended) emit(address + "\t" + string.Join(' ', names));
        return true;
    }

    /// <summary>Folds <paramref name="ops"/> into a new copy of the file, written and fsynced beside it
    /// (<see cref="AtomicFile.WriteTemporary"/>); <see cref="AtomicFile.Replace"/> puts it in place.</summary>
    /// <returns>The temporary file, or null with the reason when the hosts file could not be read.</returns>
    public static string? FoldToTemporary(string hostsPath, IReadOnlyList<HostsOperation> ops, out string reason)
    {
        string why = "";
        try
        {
            string temp = AtomicFile.WriteTemporary(hostsPath, stream =>
            {
                using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\n" };
                if (!TryFold(hostsPath, ops, writer.WriteLine, out why)) throw new FoldFailed();
            });
            reason = "";
            return temp;
        }
        catch (FoldFailed)
        {
            reason = why;
            return null;
        }
    }

    // Unwinds AtomicFile.WriteTemporary (which then removes its temporary file) when the source cannot be read.
    private sealed class FoldFailed : Exception;

    // The line as it is to be written, or null to drop it. Lines that are not a hosts line
    // (comments, blanks, lines the loader would refuse) are kept as they are.
    private static string? Rewrite(string line, HashSet<string> removed, out string[] fields)
    {
        string content = line.EndsWith('\r') ? line[..^1] : line;
        int hash = content.IndexOf('#', StringComparison.Ordinal);
        string data = hash < 0 ? content : content[..hash];
        fields = data.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2 || removed.Count == 0) return line;
        var rest = new List<string>(fields.Length - 1);
        for (int i = 1; i < fields.Length; i++)
        {
            if (!removed.Contains(Trim(fields[i]))) rest.Add(fields[i]);
        }
        if (rest.Count == fields.Length - 1) return line;
        if (rest.Count == 0) return null;
        string comment = hash < 0 ? "" : "\t" + content[hash..];
        fields = [fields[0], .. rest];
        return fields[0] + "\t" + string.Join(' ', rest) + comment;
    }

    private static string Key(IPAddress address, IEnumerable<string> names) =>
        address + " " + string.Join(' ', names.Select(Trim)).ToLowerInvariant();

    private static bool Same(string a, string b) => Trim(a).Equals(Trim(b), StringComparison.OrdinalIgnoreCase);

    // A name is kept as written but for one trailing dot, as the hosts reader keeps it.
    private static string Trim(string name) => name.EndsWith('.') ? name[..^1] : name;
}
