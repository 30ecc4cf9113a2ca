using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using VSwitch.Datapath.Files;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Storage;

// The tables as the daemon holds them: the snapshot the datapath answers from, the ethers file's
// text and entries (small: one line per neighbour), and the hosts edits not yet folded into the
// hosts file. The hosts file itself is never held: a million names live only in the snapshot.
//
// Contract, for every edit (hosts add/del, ethers add/del):
//   - input is checked by the same readers that load the files, so the switch never writes a
//     line it would refuse to load; a bad address or name is refused with the reader's reason
//     and nothing is written;
//   - the edit is on disk before anything else, and only then is the edited snapshot swapped in:
//     when an edit is acknowledged it is both durable and answering. A hosts edit is one line
//     appended to the journal and fsynced (HostsJournal), folded into the file at once when the
//     file is small and in the background when it is large (HostsCompaction); an ethers edit
//     rewrites the ethers file whole and atomically (AtomicFile);
//   - the snapshot is edited with PeepholeTables.With*, which copies only the shards an edit
//     touches, not rebuilt from the files;
//   - edits, loads and the swap of a folded file run one at a time (one gate), so two edits
//     never interleave; the long part of a fold (reading and writing the file) runs outside it;
//   - an edit made while a file on disk differs from what was loaded is refused: the edit
//     would silently drop whatever was changed by hand. Reload first.
// Comments and the layout of lines an edit does not touch are kept as they were.

/// <summary>The hosts and ethers tables: loading, listing and durable edits.</summary>
public sealed partial class TableStore : IDisposable
{
    /// <summary>Hosts files smaller than this have each edit folded in before it is acknowledged, so the
    /// file always reads as the tables answer; larger ones are folded in the background.</summary>
    public const long FoldAtOnceBelowBytes = 1024 * 1024;

    /// <summary>How long after the last hosts edit a large file is folded.</summary>
    public static readonly TimeSpan FoldAfterIdle = TimeSpan.FromSeconds(1);

    /// <summary>Journal operations after which a large file is folded even while edits keep coming.</summary>
    public const int FoldAfterOperations = 10_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Action<PeepholeTables> _publish;
    private readonly HostsJournal? _journal;
    private readonly long _foldAtOnceBelow;
    private readonly Timer _foldTimer;
    private State? _state;

    /// <param name="hostsPath">The hosts file, or null for none.</param>
    /// <param name="ethersPath">The ethers file, or null for none.</param>
    /// <param name="settings">DNS settings every snapshot is built with.</param>
    /// <param name="publish">Puts a snapshot in service (binds it to the loop's peephole); called after every successful load or edit.</param>
    /// <param name="foldAtOnceBelowBytes">Overrides <see cref="FoldAtOnceBelowBytes"/> (tests of the background fold).</param>
    /// <param name="errorPolicy">What a load does with bad lines (<c>table-errors</c>).</param>
    public TableStore(string? hostsPath, string? ethersPath, DnsSettings settings, Action<PeepholeTables> publish,
        long foldAtOnceBelowBytes = FoldAtOnceBelowBytes, TableErrorPolicy errorPolicy = TableErrorPolicy.Refuse)
    {
        HostsPath = hostsPath;
        EthersPath = ethersPath;
        Settings = settings;
        ErrorPolicy = errorPolicy;
        _hostsState = hostsPath is null ? null : TableState.Unread(hostsPath);
        _ethersState = ethersPath is null ? null : TableState.Unread(ethersPath);
        _publish = publish;
        _foldAtOnceBelow = foldAtOnceBelowBytes;
        _journal = hostsPath is null ? null : new HostsJournal(hostsPath);
        _foldTimer = new Timer(_ => _ = FoldInBackgroundAsync(), null, Timeout.Infinite, Timeout.Infinite);
        // A daemon killed in the middle of an edit leaves its temporary file: nothing else removes it.
        if (hostsPath is not null) StaleTemporariesRemoved += AtomicFile.RemoveStaleTemporaries(hostsPath) + AtomicFile.RemoveStaleTemporaries(_journal!.Path);
        if (ethersPath is not null) StaleTemporariesRemoved += AtomicFile.RemoveStaleTemporaries(ethersPath);
    }

    /// <summary>Temporary files of interrupted edits found and removed at start.</summary>
    public int StaleTemporariesRemoved { get; }

    public string? HostsPath { get; }
    public string? EthersPath { get; }
    public DnsSettings Settings { get; }

    /// <summary>What a load does with bad lines.</summary>
    public TableErrorPolicy ErrorPolicy { get; }

    private TableState? _hostsState, _ethersState;

    /// <summary>The hosts file's state (in service or not, lines, bad lines, last error); null without a hosts file.</summary>
    public TableState? HostsState => Volatile.Read(ref _hostsState) is { } t
        ? t with { Lines = t.Loaded ? Volatile.Read(ref _state)?.HostsLines ?? 0 : 0 } : null;

    /// <summary>The ethers file's state; null without an ethers file.</summary>
    public TableState? EthersState => Volatile.Read(ref _ethersState) is { } t
        ? t with { Lines = t.Loaded ? Volatile.Read(ref _state)?.Ethers.Count ?? 0 : 0 } : null;

    /// <summary>The snapshot in service, or null before the first successful load.</summary>
    public PeepholeTables? Current => Volatile.Read(ref _state)?.Tables;

    /// <summary>Lines holding an entry in the hosts and ethers tables in service; null before the first good load.</summary>
    public (int Hosts, int Ethers)? EntryCounts => Volatile.Read(ref _state) is { } s ? (s.HostsLines, s.Ethers.Count) : null;

    /// <summary>The hosts journal beside the hosts file (null without a hosts file).</summary>
    public string? JournalPath => _journal?.Path;

    /// <summary>Hosts edits acknowledged but not yet folded into the hosts file.</summary>
    public int PendingHostsEdits => Volatile.Read(ref _state)?.Pending.Count ?? 0;

    private long _loads, _loadsRefused, _edits, _editsRefused;

    /// <summary>Loads put in service since start (the first one included).</summary>
    public long Loads => Interlocked.Read(ref _loads);

    /// <summary>Loads refused because a file had errors or could not be read.</summary>
    public long LoadsRefused => Interlocked.Read(ref _loadsRefused);

    /// <summary>Edits written and put in service.</summary>
    public long Edits => Interlocked.Read(ref _edits);

    /// <summary>Edits refused (bad input, nothing to delete, a write that failed).</summary>
    public long EditsRefused => Interlocked.Read(ref _editsRefused);

    private long _folds, _foldsFailed;

    /// <summary>Times the hosts journal was folded into the hosts file.</summary>
    public long Folds => Interlocked.Read(ref _folds);

    /// <summary>Folds that failed (the file could not be read or written); the journal keeps the edits.</summary>
    public long FoldsFailed => Interlocked.Read(ref _foldsFailed);

    // Pending: the journal's operations, in order, that the hosts file does not have yet.
    // EthersBadLines: the ethers file's bad lines, left out under table-errors = skip (an edit may
    // leave them as they are, never add one).
    private sealed record State(PeepholeTables Tables, int HostsLines, FileStamp HostsStamp, string? EthersText,
        IReadOnlyList<EthersEntry> Ethers, ImmutableList<HostsOperation> Pending, int EthersBadLines = 0);

    /// <summary>Writes the commented sample table to <paramref name="path"/> (and its directory) when the file is missing.</summary>
    /// <returns>True when the file was created.</returns>
    public static bool CreateSampleIfMissing(string path, bool hosts)
    {
        if (File.Exists(path)) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllText(path, Sample(hosts));
        return true;
    }

    /// <summary>The sample hosts or ethers file vswitchd writes when the default one is missing.</summary>
    public static string Sample(bool hosts)
    {
        string name = hosts ? "VSwitch.Daemon.Samples.hosts" : "VSwitch.Daemon.Samples.ethers";
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Reads both files and, when both are good, puts the new snapshot in service.</summary>
    /// <remarks>Under <see cref="TableErrorPolicy.Refuse"/> a table with any error is not put in service:
    /// the one answering stays, and every error is returned as <c>file:line: reason</c>. Under
    /// <see cref="TableErrorPolicy.Skip"/> the good lines are put in service and the bad ones are the
    /// successful result's details. A file that cannot be read, and edits in the journal that cannot
    /// be folded, refuse the load under either policy: serving without them would drop lines unseen.</remarks>
    /// <remarks>Edits still in the hosts journal are folded into the hosts file first, so a reload
    /// (and a start after a crash) never loses an acknowledged edit.</remarks>
    public async Task<TableResult<TableLoad>> ReloadAsync(CancellationToken cancel = default)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var errors = new List<TableError>();
            if (_journal is not null && _journal.TryRead(out List<HostsOperation> ops, errors) && ops.Count > 0)
            {
                if (!TryFold(ops, errors)) errors.Add(new TableError(_journal.Path, 0, "the journal's edits could not be folded into the hosts file; they are kept"));
            }
            TableFileLoad load = errors.Count > 0 ? new TableFileLoad(null, errors, 0, "", [])
                : TableFiles.Read(HostsPath, EthersPath, Settings, skipBadLines: ErrorPolicy == TableErrorPolicy.Skip);
            // Line 0 is the file as a whole: one that could not be read is never "skipped".
            if (load.Tables is not null && load.Errors.Any(e => e.Line == 0)) load = load with { Tables = null };
            DateTimeOffset now = DateTimeOffset.UtcNow;
            if (load.Tables is null)
            {
                Interlocked.Increment(ref _loadsRefused);
                Checked(ref _hostsState, load.Errors, now, loaded: false);
                Checked(ref _ethersState, load.Errors, now, loaded: false);
                // Say truthfully what answers now: at start-up nothing does.
                string inService = _state is null ? "no tables are in service (DNS, ARP, ND and DHCP queries are forwarded unanswered)"
                    : "the tables in service are unchanged";
                return TableResult.Fail<TableLoad>(
                    $"the tables were not loaded: {load.Errors.Count} error{(load.Errors.Count == 1 ? "" : "s")}; {inService}",
                    load.Errors.Select(e => e.ToString()).ToList());
            }
            bool first = _state is null;
            int ethersBad = load.Errors.Count(e => e.File == EthersPath);
            Volatile.Write(ref _state, new State(load.Tables, load.HostsLines, FileStamp.Of(HostsPath),
                EthersPath is null ? null : load.EthersText, load.Ethers, [], ethersBad));
            Checked(ref _hostsState, load.Errors, now, loaded: true);
            Checked(ref _ethersState, load.Errors, now, loaded: true);
            _publish(load.Tables);
            Interlocked.Increment(ref _loads);
            // Building a large table leaves a heap of garbage (the lines as text, the builder's
            // dictionaries) several times the tables' size; give it back to the system once, at start,
            // when no frame is waiting on a pause.
            if (first && load.HostsLines >= 100_000) GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return new TableResult<TableLoad>(new TableLoad(HostsPath, load.HostsLines, EthersPath, load.Ethers.Count)
            {
                HostsBadLines = load.Errors.Count - ethersBad,
                EthersBadLines = ethersBad,
            }, null, load.Errors.Select(e => e.ToString()).ToList());
        }
        finally
        {
            _gate.Release();
        }
    }

    // Records a read of one table file: its bad lines and first error; when it was put in service,
    // when that was. Errors of the journal count as the hosts file's (they are its pending lines).
    private void Checked(ref TableState? state, IReadOnlyList<TableError> errors, DateTimeOffset now, bool loaded)
    {
        if (state is null) return;
        string file = state.File;
        bool Mine(TableError e) => e.File == file || (file == HostsPath && e.File == _journal?.Path);
        TableError? first = errors.FirstOrDefault(Mine);
        Volatile.Write(ref state, state with
        {
            Loaded = loaded || state.Loaded,
            BadLines = errors.Count(Mine),
            LastError = first?.ToString(),
            LoadedAt = loaded ? now : state.LoadedAt,
            CheckedAt = now,
        });
    }

    // Folds operations into the hosts file and empties the journal; called under the gate.
    private bool TryFold(IReadOnlyList<HostsOperation> ops, List<TableError> errors)
    {
        try
        {
            string? temp = HostsCompaction.FoldToTemporary(HostsPath!, ops, out string reason);
            if (temp is null)
            {
                errors.Add(new TableError(HostsPath!, 0, reason));
                Interlocked.Increment(ref _foldsFailed);
                return false;
            }
            AtomicFile.Replace(temp, HostsPath!);
            _journal!.Rewrite([]);
            Interlocked.Increment(ref _folds);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new TableError(HostsPath!, 0, "cannot write the file: " + e.Message));
            Interlocked.Increment(ref _foldsFailed);
            return false;
        }
    }

    /// <summary>The hosts lines in service, in file order: the file with the journal folded in, as it will be written.</summary>
    public TableResult<List<HostsLine>> ListHosts()
    {
        State? s = Volatile.Read(ref _state);
        if (HostsPath is null) return TableResult.Fail<List<HostsLine>>("no hosts file is configured");
        if (s is null) return NotLoaded<List<HostsLine>>();
        var lines = new List<HostsLine>();
        int number = 0;
        if (!HostsCompaction.TryFold(HostsPath, s.Pending, line =>
            {
                number++;
                TableParse<HostsEntry> parse = HostsFileReader.Parse(HostsPath, line);
                foreach (HostsEntry h in parse.Entries) lines.Add(new HostsLine(number, h.Address.ToString(), [h.CanonicalName, .. h.Aliases]));
            }, out string reason))
            return TableResult.Fail<List<HostsLine>>($"{HostsPath}: {reason}");
        return TableResult.Success(lines);
    }

    /// <summary>The ethers lines in service, in file order.</summary>
    public TableResult<List<EthersLine>> ListEthers()
    {
        State? s = Volatile.Read(ref _state);
        if (EthersPath is null) return TableResult.Fail<List<EthersLine>>("no ethers file is configured");
        if (s is null) return NotLoaded<List<EthersLine>>();
        return TableResult.Success<List<EthersLine>>(s.Ethers
            .Select(e => new EthersLine(e.Line, Datapath.Frames.MacAddress.Format(e.Mac), e.Address?.ToString() ?? e.HostName!)).ToList());
    }

    public void Dispose()
    {
        _foldTimer.Dispose();
        _journal?.Dispose();
        _gate.Dispose();
    }

    // Input refused before the edit reaches the gate: counted like any refused edit.
    private Task<TableResult<TableEdit>> Refuse(string reason)
    {
        Interlocked.Increment(ref _editsRefused);
        return Task.FromResult(TableResult.Fail<TableEdit>(reason));
    }

    private static TableResult<T> NotLoaded<T>() where T : class =>
        TableResult.Fail<T>("the tables are not loaded (the last load failed); fix the files and reload");

    // Runs one edit under the gate, counting the outcome.
    private async Task<TableResult<TableEdit>> EditAsync(Func<State, TableResult<TableEdit>> edit, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            State? s = _state;
            TableResult<TableEdit> result = s is null ? NotLoaded<TableEdit>() : edit(s);
            Interlocked.Increment(ref result.Ok ? ref _edits : ref _editsRefused);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Puts a new state in service (under the gate).
    private void Publish(State state)
    {
        Volatile.Write(ref _state, state);
        _publish(state.Tables);
    }

    // Writes the edited ethers file, then swaps the snapshot in: the order that makes an
    // acknowledged edit durable. The new text is parsed before it is written, so a file the
    // switch writes always loads.
    private TableResult<TableEdit> CommitEthers(State old, List<string> lines, TableEdit edit,
        Func<IReadOnlyList<EthersEntry>, PeepholeTables> snapshot)
    {
        string path = EthersPath!;
        if (!BoundedFile.TryReadAllText(path, out string onDisk, out _) || onDisk != old.EthersText)
            return TableResult.Fail<TableEdit>($"{path} was changed on disk since it was loaded; reload it first (vswitchctl reload)");
        string text = string.Join('\n', lines);
        TableParse<EthersEntry> parse = EthersFileReader.Parse(path, text);
        // Bad lines the file already had (skipped) may stay; the edit never adds one.
        if (parse.Errors.Count > (ErrorPolicy == TableErrorPolicy.Skip ? old.EthersBadLines : 0))
            return TableResult.Fail<TableEdit>("the edit would make the table unreadable", parse.Errors.Select(e => e.ToString()).ToList());
        try
        {
            AtomicFile.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return TableResult.Fail<TableEdit>($"{path}: the file could not be written, the table is unchanged: {e.Message}");
        }
        Publish(old with { Tables = snapshot(parse.Entries), EthersText = text, Ethers = parse.Entries, EthersBadLines = parse.Errors.Count });
        return TableResult.Success<TableEdit>(edit);
    }

    // Recomputes the neighbour entry of each address an edit touched, as a full load would:
    // the last ethers line (in file order) naming the address, directly or through a host name.
    private static PeepholeTables WithNeighbors(PeepholeTables tables, IEnumerable<IPAddress> affected, IReadOnlyList<EthersEntry> ethers)
    {
        foreach (IPAddress address in affected.Distinct().ToList())
        {
            ulong? mac = null;
            foreach (EthersEntry e in ethers)
            {
                if (AddressesOf(e, tables).Contains(address)) mac = e.Mac;
            }
            tables = tables.WithNeighbor(address, mac);
        }
        return tables;
    }

    // The addresses an ethers line covers: its own, or every address the hosts table gives its name.
    private static List<IPAddress> AddressesOf(EthersEntry e, PeepholeTables tables) =>
        e.Address is not null ? [e.Address] : AddressesOf(e.HostName!, tables);

    private static List<IPAddress> AddressesOf(string name, PeepholeTables tables)
    {
        var list = new List<IPAddress>();
        if (!tables.Names.TryGet(DnsName.KeyFromText(name), out ReadOnlySpan<byte> value)) return list;
        var record = new NameRecord(value);
        for (int i = 0; i < record.IPv4Count; i++) list.Add(new IPAddress(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(record.IPv4(i)))));
        for (int i = 0; i < record.IPv6Count; i++) list.Add(new IPAddress(record.IPv6(i)));
        return list;
    }

    // A field given on the control socket becomes part of a line: it must be one field, with no
    // separator, comment or line break that would change what the line says.
    private static bool IsField(string what, string value, out string reason)
    {
        reason = value.Length == 0 ? $"the {what} is empty"
            : value.Length > 300 ? $"the {what} is longer than 300 characters"
            : value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '#') ? $"the {what} {UntrustedText.Quote(value)} contains a space, a control character or '#'"
            : "";
        return reason.Length == 0;
    }

    private static List<string> Lines(string? text) => [.. (text ?? "").Split('\n')];

    // Appends a line, keeping the file's final newline (a file without one gets one).
    private static void Append(List<string> lines, string line)
    {
        if (lines.Count > 0 && lines[^1].Length == 0) lines.Insert(lines.Count - 1, line);
        else
        {
            lines.Add(line);
            lines.Add("");
        }
    }
}
