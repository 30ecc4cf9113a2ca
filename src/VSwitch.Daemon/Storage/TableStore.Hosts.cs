using System.Net;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Storage;

// hosts add / hosts del: see TableStore.cs for the contract every edit keeps. An edit is one
// journal line (HostsJournal) and a snapshot edit; nothing here reads or holds the hosts file.
public sealed partial class TableStore
{
    /// <summary>Adds the line <c>ADDRESS NAME [ALIAS...]</c> to the hosts table and answers for it.</summary>
    /// <remarks>Adding what the table already says (the same address with these names on one line)
    /// changes nothing and succeeds. Ethers lines that name one of <paramref name="names"/> now
    /// also cover <paramref name="address"/>, as they would after a reload.</remarks>
    public Task<TableResult<TableEdit>> AddHostAsync(string address, IReadOnlyList<string> names, CancellationToken cancel = default)
    {
        if (HostsPath is null) return Refuse("no hosts file is configured");
        if (!IsField("address", address, out string reason)) return Refuse(reason);
        if (names.Count == 0) return Refuse("give at least one name");
        foreach (string n in names)
        {
            if (!IsField("name", n, out reason)) return Refuse(reason);
        }
        // The reader that loads the file checks the line, so it is accepted here exactly when a
        // reload would accept it.
        TableParse<HostsEntry> parse = HostsFileReader.Parse("hosts add", address + " " + string.Join(' ', names));
        if (!parse.Ok) return Refuse(parse.Errors[0].Reason);
        HostsEntry entry = parse.Entries[0];
        string[] allNames = [entry.CanonicalName, .. entry.Aliases];
        List<byte[]> wireNames = allNames.Select(DnsName.FromText).ToList();

        return EditAsync(s =>
        {
            if (s.Tables.Reverse.TryGet(entry.Address.GetAddressBytes(), out ReadOnlySpan<byte> lines) && ReverseLines.HasLineWith(lines, wireNames))
                return TableResult.Success<TableEdit>(new TableEdit(HostsPath, false, [], []));
            var op = new HostsOperation(entry.Address, allNames);
            if (!TryJournal(s, op, out TableResult<TableEdit>? failed)) return failed!;
            PeepholeTables tables = WithNeighbors(s.Tables.WithHost(entry.Address, allNames), [entry.Address], s.Ethers);
            AfterJournal(s with { Tables = tables, HostsLines = s.HostsLines + 1, Pending = s.Pending.Add(op) });
            return TableResult.Success<TableEdit>(new TableEdit(HostsPath, true, [op.ToHostsLine()], []));
        }, cancel);
    }

    /// <summary>Removes <paramref name="name"/> from every hosts line; a line left with no name is removed.</summary>
    /// <remarks>Refused while an ethers line refers to the name: the files would no longer load
    /// together. When the name was a line's canonical name, the next name on the line becomes
    /// canonical, and the first line left for each address answers reverse queries for it.</remarks>
    public Task<TableResult<TableEdit>> DeleteHostAsync(string name, CancellationToken cancel = default)
    {
        if (HostsPath is null) return Refuse("no hosts file is configured");
        if (!IsField("name", name, out string reason)) return Refuse(reason);
        TableParse<HostsEntry> parse = HostsFileReader.Parse("hosts del", "0.0.0.0 " + name);
        if (!parse.Ok || parse.Entries[0].Aliases.Count > 0)
            return Refuse(parse.Errors.Count > 0 ? parse.Errors[0].Reason : "give one name");
        string target = parse.Entries[0].CanonicalName;
        byte[] wire = DnsName.FromText(target);

        return EditAsync(s =>
        {
            EthersEntry? user = s.Ethers.FirstOrDefault(e => target.Equals(e.HostName, StringComparison.OrdinalIgnoreCase));
            if (user is not null)
                return TableResult.Fail<TableEdit>(
                    $"{EthersPath}:{user.Line} refers to '{target}'; delete that line first (vswitchctl ethers del {target})");
            List<IPAddress> addresses = AddressesOf(target, s.Tables);
            if (addresses.Count == 0) return TableResult.Fail<TableEdit>($"no hosts line has the name '{target}'");

            // The lines the name is on, as the reverse map holds them, before and after.
            var removed = new List<string>();
            var added = new List<string>();
            foreach (IPAddress address in addresses)
            {
                byte[] bytes = address.GetAddressBytes();
                if (!s.Tables.Reverse.TryGet(bytes, out ReadOnlySpan<byte> lines)) continue;
                foreach (List<byte[]> line in ReverseLines.Decode(lines, s.Tables.Names, bytes))
                {
                    if (!line.Any(n => ReverseLines.SameName(n, wire))) continue;
                    removed.Add(address + "\t" + string.Join(' ', line.Select(n => DnsName.ToText(n))));
                    var rest = line.Where(n => !ReverseLines.SameName(n, wire)).ToList();
                    if (rest.Count > 0) added.Add(address + "\t" + string.Join(' ', rest.Select(n => DnsName.ToText(n))));
                }
            }
            var op = new HostsOperation(null, [target]);
            if (!TryJournal(s, op, out TableResult<TableEdit>? failed)) return failed!;
            AfterJournal(s with
            {
                Tables = s.Tables.WithoutName(target),
                HostsLines = s.HostsLines - (removed.Count - added.Count),
                Pending = s.Pending.Add(op),
            });
            return TableResult.Success<TableEdit>(new TableEdit(HostsPath, true, added, removed));
        }, cancel);
    }

    // Appends the operation to the journal, durably; refuses when the file was changed by hand.
    private bool TryJournal(State s, HostsOperation op, out TableResult<TableEdit>? failed)
    {
        failed = null;
        if (FileStamp.Of(HostsPath) != s.HostsStamp)
        {
            failed = TableResult.Fail<TableEdit>($"{HostsPath} was changed on disk since it was loaded; reload it first (vswitchctl reload)");
            return false;
        }
        try
        {
            _journal!.Append(op);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failed = TableResult.Fail<TableEdit>($"{_journal!.Path}: the journal could not be written, the table is unchanged: {e.Message}");
            return false;
        }
    }

    // The edit is durable: put it in service, then fold it into a small file now, or have a large
    // one folded in the background.
    private void AfterJournal(State s)
    {
        Publish(s);
        if (s.HostsStamp.Length < _foldAtOnceBelow)
        {
            if (TryFold(s.Pending, []))
                Publish(s with { HostsStamp = FileStamp.Of(HostsPath), Pending = [] });
            return;
        }
        _foldTimer.Change(s.Pending.Count >= FoldAfterOperations ? TimeSpan.Zero : FoldAfterIdle, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Folds the journal into a large hosts file now (also what the background fold runs).</summary>
    /// <remarks>Reading and writing the file run outside the gate, so edits go on meanwhile; only
    /// the rename and the rewrite of the journal's rest wait for them. A file changed by hand in
    /// the meantime is left alone (the fold is dropped; the journal keeps every edit).</remarks>
    /// <returns>True when there was nothing to fold or the fold took effect.</returns>
    public async Task<bool> FoldAsync(CancellationToken cancel = default)
    {
        State? s = Volatile.Read(ref _state);
        if (s is null || s.Pending.Count == 0 || HostsPath is null) return true;
        string? temp;
        try
        {
            temp = HostsCompaction.FoldToTemporary(HostsPath, s.Pending, out _);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            temp = null;
        }
        if (temp is null)
        {
            Interlocked.Increment(ref _foldsFailed);
            return false;
        }
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            State now = _state!;
            // Another fold or a reload got there first, or the file was edited by hand: drop this one.
            if (now.HostsStamp != s.HostsStamp || FileStamp.Of(HostsPath) != s.HostsStamp || now.Pending.Count < s.Pending.Count
                || !ReferenceEquals(now.Pending[s.Pending.Count - 1], s.Pending[^1]))
            {
                AtomicFile.Discard(temp);
                return false;
            }
            var rest = now.Pending.RemoveRange(0, s.Pending.Count);
            AtomicFile.Replace(temp, HostsPath);
            _journal!.Rewrite(rest);
            Publish(now with { HostsStamp = FileStamp.Of(HostsPath), Pending = rest });
            Interlocked.Increment(ref _folds);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _foldsFailed);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task FoldInBackgroundAsync()
    {
        try
        {
            await FoldAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The store was disposed while the timer fired: the journal keeps the edits for the next start.
        }
    }

}
