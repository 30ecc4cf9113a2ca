using System.Net;
using System.Reflection;
using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Storage;

// The tables as the daemon holds them: the text of the hosts and ethers files as last loaded,
// their parsed entries, and the snapshot built from them that the datapath answers from.
//
// Contract, for every edit (hosts add/del, ethers add/del):
//   - input is checked by the same readers that load the files, so the switch never writes a
//     line it would refuse to load; a bad address or name is refused with the reader's reason
//     and the file is not touched;
//   - the file is rewritten whole and atomically (AtomicFile) before anything else, and only
//     then is the edited snapshot swapped in: when an edit is acknowledged it is both on disk
//     and answering;
//   - the snapshot is edited with PeepholeTables.With*, which copies only the shards an edit
//     touches, not rebuilt from the files;
//   - edits and reloads run one at a time (one gate), so two edits never interleave their
//     read-modify-write of a file;
//   - an edit made while the file on disk differs from what was loaded is refused: the edit
//     would silently drop whatever was changed by hand. Reload first.
// Comments and the layout of lines an edit does not touch are kept as they were.

/// <summary>The hosts and ethers tables: loading, listing and durable edits.</summary>
public sealed partial class TableStore : IDisposable
{
    /// <summary>The largest table file read (the tables are sized for millions of names).</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Action<PeepholeTables> _publish;
    private State? _state;

    /// <param name="hostsPath">The hosts file, or null for none.</param>
    /// <param name="ethersPath">The ethers file, or null for none.</param>
    /// <param name="settings">DNS settings every snapshot is built with.</param>
    /// <param name="publish">Puts a snapshot in service (binds it to the loop's peephole); called after every successful load or edit.</param>
    public TableStore(string? hostsPath, string? ethersPath, DnsSettings settings, Action<PeepholeTables> publish)
    {
        HostsPath = hostsPath;
        EthersPath = ethersPath;
        Settings = settings;
        _publish = publish;
        // A daemon killed in the middle of an edit leaves its temporary file: nothing else removes it.
        if (hostsPath is not null) StaleTemporariesRemoved += AtomicFile.RemoveStaleTemporaries(hostsPath);
        if (ethersPath is not null) StaleTemporariesRemoved += AtomicFile.RemoveStaleTemporaries(ethersPath);
    }

    /// <summary>Temporary files of interrupted edits found and removed at start.</summary>
    public int StaleTemporariesRemoved { get; }

    public string? HostsPath { get; }
    public string? EthersPath { get; }
    public DnsSettings Settings { get; }

    /// <summary>The snapshot in service, or null before the first successful load.</summary>
    public PeepholeTables? Current => Volatile.Read(ref _state)?.Tables;

    /// <summary>Lines holding an entry in the hosts and ethers tables in service; null before the first good load.</summary>
    public (int Hosts, int Ethers)? EntryCounts => Volatile.Read(ref _state) is { } s ? (s.Hosts.Count, s.Ethers.Count) : null;

    private long _loads, _loadsRefused, _edits, _editsRefused;

    /// <summary>Loads put in service since start (the first one included).</summary>
    public long Loads => Interlocked.Read(ref _loads);

    /// <summary>Loads refused because a file had errors or could not be read.</summary>
    public long LoadsRefused => Interlocked.Read(ref _loadsRefused);

    /// <summary>Edits written and put in service.</summary>
    public long Edits => Interlocked.Read(ref _edits);

    /// <summary>Edits refused (bad input, nothing to delete, a write that failed).</summary>
    public long EditsRefused => Interlocked.Read(ref _editsRefused);

    private sealed record State(string? HostsText, string? EthersText,
        IReadOnlyList<HostsEntry> Hosts, IReadOnlyList<EthersEntry> Ethers, PeepholeTables Tables);

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
    /// <remarks>A table with any error is not put in service: the one answering stays, and every
    /// error is returned as <c>file:line: reason</c>.</remarks>
    public async Task<TableResult<TableLoad>> ReloadAsync(CancellationToken cancel = default)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var errors = new List<TableError>();
            string? hostsText = Read(HostsPath, errors), ethersText = Read(EthersPath, errors);
            TableParse<HostsEntry> hosts = hostsText is null ? new([], []) : HostsFileReader.Parse(HostsPath!, hostsText);
            TableParse<EthersEntry> ethers = ethersText is null ? new([], []) : EthersFileReader.Parse(EthersPath!, ethersText);
            errors.AddRange(hosts.Errors);
            errors.AddRange(ethers.Errors);
            PeepholeTables? tables = null;
            if (errors.Count == 0)
            {
                tables = PeepholeTables.Build(hosts.Entries, ethers.Entries, Settings, EthersPath ?? "", out List<TableError> buildErrors);
                errors.AddRange(buildErrors);
            }
            if (errors.Count > 0 || tables is null)
            {
                Interlocked.Increment(ref _loadsRefused);
                return TableResult.Fail<TableLoad>(
                    $"the tables were not loaded: {errors.Count} error{(errors.Count == 1 ? "" : "s")}; the tables in service are unchanged",
                    errors.Select(e => e.ToString()).ToList());
            }
            Volatile.Write(ref _state, new State(hostsText, ethersText, hosts.Entries, ethers.Entries, tables));
            _publish(tables);
            Interlocked.Increment(ref _loads);
            return TableResult.Success<TableLoad>(new TableLoad(HostsPath, hosts.Entries.Count, EthersPath, ethers.Entries.Count));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The hosts lines in service, in file order.</summary>
    public TableResult<List<HostsLine>> ListHosts()
    {
        State? s = Volatile.Read(ref _state);
        if (HostsPath is null) return TableResult.Fail<List<HostsLine>>("no hosts file is configured");
        if (s is null) return NotLoaded<List<HostsLine>>();
        return TableResult.Success<List<HostsLine>>(s.Hosts
            .Select(h => new HostsLine(h.Line, h.Address.ToString(), [h.CanonicalName, .. h.Aliases])).ToList());
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

    public void Dispose() => _gate.Dispose();

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

    // Writes the edited file, then swaps the snapshot in: the order that makes an acknowledged
    // edit durable. The new text is parsed before it is written, so a file the switch writes
    // always loads.
    private TableResult<TableEdit> Commit(State old, bool hostsFile, List<string> lines, TableEdit edit,
        Func<IReadOnlyList<HostsEntry>, IReadOnlyList<EthersEntry>, PeepholeTables> snapshot)
    {
        string path = hostsFile ? HostsPath! : EthersPath!;
        string? onDisk = Read(path, new List<TableError>());
        if (onDisk != (hostsFile ? old.HostsText : old.EthersText))
            return TableResult.Fail<TableEdit>($"{path} was changed on disk since it was loaded; reload it first (vswitchctl reload)");
        string text = string.Join('\n', lines);
        IReadOnlyList<HostsEntry> hosts = old.Hosts;
        IReadOnlyList<EthersEntry> ethers = old.Ethers;
        IReadOnlyList<TableError> errors;
        if (hostsFile)
        {
            TableParse<HostsEntry> parse = HostsFileReader.Parse(path, text);
            (hosts, errors) = (parse.Entries, parse.Errors);
        }
        else
        {
            TableParse<EthersEntry> parse = EthersFileReader.Parse(path, text);
            (ethers, errors) = (parse.Entries, parse.Errors);
        }
        if (errors.Count > 0)
            return TableResult.Fail<TableEdit>("the edit would make the table unreadable", errors.Select(e => e.ToString()).ToList());
        try
        {
            AtomicFile.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return TableResult.Fail<TableEdit>($"{path}: the file could not be written, the table is unchanged: {e.Message}");
        }
        PeepholeTables tables = snapshot(hosts, ethers);
        Volatile.Write(ref _state, new State(hostsFile ? text : old.HostsText, hostsFile ? old.EthersText : text, hosts, ethers, tables));
        _publish(tables);
        return TableResult.Success<TableEdit>(edit);
    }

    // Recomputes the neighbour entry of each address an edit touched, as a full load would:
    // the last ethers line (in file order) naming the address, directly or through a host name.
    private static PeepholeTables WithNeighbors(PeepholeTables tables, IEnumerable<IPAddress> affected,
        IReadOnlyList<HostsEntry> hosts, IReadOnlyList<EthersEntry> ethers)
    {
        Dictionary<string, List<IPAddress>> names = NameIndex(hosts);
        foreach (IPAddress address in affected.Distinct())
        {
            ulong? mac = null;
            foreach (EthersEntry e in ethers)
            {
                if (AddressesOf(e, names).Contains(address)) mac = e.Mac;
            }
            tables = tables.WithNeighbor(address, mac);
        }
        return tables;
    }

    private static Dictionary<string, List<IPAddress>> NameIndex(IReadOnlyList<HostsEntry> hosts)
    {
        var index = new Dictionary<string, List<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        foreach (HostsEntry h in hosts)
        {
            foreach (string name in h.Aliases.Prepend(h.CanonicalName))
            {
                if (!index.TryGetValue(name, out List<IPAddress>? list)) index[name] = list = [];
                if (!list.Contains(h.Address)) list.Add(h.Address);
            }
        }
        return index;
    }

    private static List<IPAddress> AddressesOf(EthersEntry e, Dictionary<string, List<IPAddress>> names) =>
        e.Address is not null ? [e.Address] : names.TryGetValue(e.HostName!, out List<IPAddress>? list) ? list : [];

    // A field given on the control socket becomes part of a line: it must be one field, with no
    // separator, comment or line break that would change what the line says.
    private static bool IsField(string what, string value, out string reason)
    {
        reason = value.Length == 0 ? $"the {what} is empty"
            : value.Length > 300 ? $"the {what} is longer than 300 characters"
            : value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '#') ? $"the {what} '{Clip(value)}' contains a space, a control character or '#'"
            : "";
        return reason.Length == 0;
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "...";

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

    private static string? Read(string? path, List<TableError> errors)
    {
        if (path is null) return null;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileBytes)
            {
                errors.Add(new TableError(path, 0, $"the file is larger than the limit of {MaxFileBytes} bytes"));
                return null;
            }
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new TableError(path, 0, "cannot read the file: " + e.Message));
            return null;
        }
    }
}
