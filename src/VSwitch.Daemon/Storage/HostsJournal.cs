using System.Net;
using System.Text;
using VSwitch.Datapath.Files;
using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Storage;

// Why a journal: rewriting a hosts file of a million names for every `hosts add` takes seconds,
// and an edit must be on disk before it is acknowledged. So an edit is one line appended to
// FILE.journal beside the hosts file and fsynced (well under a millisecond), and the journal is
// folded into the file later (HostsCompaction), in the background for a large file and at once
// for a small one. The file stays plain hosts(5) that any tool can read; at start and on reload
// the journal is folded in before the file is loaded, so nothing acknowledged is ever lost.
//
// Format, one operation a line, applied in order:
//     # vswitch hosts journal v1
//     + ADDRESS NAME [NAME...]        a hosts line appended
//     - NAME                          the name removed from every line
// A last line without its '\n' is an append cut short by a crash: it was never acknowledged
// (the fsync comes after the whole line) and is ignored.

/// <summary>One operation of the hosts journal.</summary>
/// <param name="Address">The address of an added line; null for a removal.</param>
/// <param name="Names">The added line's names, or the one name removed.</param>
public sealed record HostsOperation(IPAddress? Address, IReadOnlyList<string> Names)
{
    public bool IsAdd => Address is not null;

    /// <summary>The journal line for this operation, without its '\n'.</summary>
    public string ToJournalLine() => IsAdd ? $"+ {Address} {string.Join(' ', Names)}" : $"- {Names[0]}";

    /// <summary>The hosts line an add writes.</summary>
    public string ToHostsLine() => Address + "\t" + string.Join(' ', Names);
}

/// <summary>The append-only journal of hosts edits beside a hosts file.</summary>
public sealed class HostsJournal : IDisposable
{
    private const string Header = "# vswitch hosts journal v1";
    private FileStream? _append;

    public HostsJournal(string hostsPath) => Path = hostsPath + ".journal";

    /// <summary>The journal file: the hosts file's path with <c>.journal</c> added.</summary>
    public string Path { get; }

    /// <summary>Appends <paramref name="op"/> and waits until it is on disk.</summary>
    public void Append(HostsOperation op)
    {
        if (_append is null)
        {
            bool created = !File.Exists(Path);
            _append = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read, 1);
            if (_append.Length == 0) _append.Write(Encoding.UTF8.GetBytes(Header + "\n"));
            // A new file is only durable once its directory entry is.
            if (created)
            {
                _append.Flush(flushToDisk: true);
                AtomicFile.SyncDirectoryOf(Path);
            }
        }
        _append.Write(Encoding.UTF8.GetBytes(op.ToJournalLine() + "\n"));
        _append.Flush(flushToDisk: true);
    }

    /// <summary>Replaces the journal with <paramref name="remaining"/> (atomically), or removes it when none is left.</summary>
    public void Rewrite(IReadOnlyList<HostsOperation> remaining)
    {
        Close();
        if (remaining.Count == 0)
        {
            if (File.Exists(Path))
            {
                File.Delete(Path);
                AtomicFile.SyncDirectoryOf(Path);
            }
            return;
        }
        var text = new StringBuilder(Header).Append('\n');
        foreach (HostsOperation op in remaining) text.Append(op.ToJournalLine()).Append('\n');
        AtomicFile.WriteAllText(Path, text.ToString());
    }

    /// <summary>Reads every operation in the journal (none when there is no journal).</summary>
    /// <returns>False with the reasons (file, line) when a line is not an operation.</returns>
    public bool TryRead(out List<HostsOperation> ops, List<TableError> errors)
    {
        var read = new List<HostsOperation>();
        ops = read;
        if (!File.Exists(Path)) return true;
        int before = errors.Count;
        string? last = null;
        int lastNumber = 0;
        if (!BoundedFile.TryReadLines(Path, (line, number) =>
            {
                if (last is not null) Parse(last, lastNumber, read, errors);
                (last, lastNumber) = (line, number);
            }, out bool endsWithNewline, out string reason))
        {
            errors.Add(new TableError(Path, 0, reason));
            return false;
        }
        // The last line counts only when it was written whole.
        if (last is not null && endsWithNewline) Parse(last, lastNumber, read, errors);
        return errors.Count == before;
    }

    public void Dispose() => Close();

    private void Close()
    {
        _append?.Dispose();
        _append = null;
    }

    private void Parse(string line, int number, List<HostsOperation> ops, List<TableError> errors)
    {
        if (line.Length == 0 || line.StartsWith('#')) return;
        if (line.StartsWith("+ ", StringComparison.Ordinal))
        {
            TableParse<HostsEntry> parse = HostsFileReader.Parse(Path, line[2..]);
            if (parse.Ok && parse.Entries.Count == 1)
            {
                HostsEntry e = parse.Entries[0];
                ops.Add(new HostsOperation(e.Address, [e.CanonicalName, .. e.Aliases]));
                return;
            }
        }
        else if (line.StartsWith("- ", StringComparison.Ordinal))
        {
            TableParse<HostsEntry> parse = HostsFileReader.Parse(Path, "0.0.0.0 " + line[2..]);
            if (parse.Ok && parse.Entries.Count == 1 && parse.Entries[0].Aliases.Count == 0)
            {
                ops.Add(new HostsOperation(null, [parse.Entries[0].CanonicalName]));
                return;
            }
        }
        errors.Add(new TableError(Path, number, $"not a journal operation ('+ ADDRESS NAME...' or '- NAME'): {UntrustedText.Quote(line)}"));
    }
}
