using System.Net;
using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Storage;

// hosts add / hosts del: see TableStore.cs for the contract every edit keeps.
public sealed partial class TableStore
{
    /// <summary>Adds the line <c>ADDRESS NAME [ALIAS...]</c> to the hosts file and answers for it.</summary>
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

        return EditAsync(s =>
        {
            foreach (HostsEntry h in s.Hosts)
            {
                if (h.Address.Equals(entry.Address) &&
                    allNames.All(n => h.CanonicalName.Equals(n, StringComparison.OrdinalIgnoreCase) ||
                                      h.Aliases.Contains(n, StringComparer.OrdinalIgnoreCase)))
                    return TableResult.Success<TableEdit>(new TableEdit(HostsPath, false, [], []));
            }
            string line = entry.Address + "\t" + string.Join(' ', allNames);
            List<string> lines = Lines(s.HostsText);
            Append(lines, line);
            return Commit(s, hostsFile: true, lines, new TableEdit(HostsPath, true, [line], []),
                (hosts, ethers) => WithNeighbors(s.Tables.WithHost(entry.Address, allNames), [entry.Address], hosts, ethers));
        }, cancel);
    }

    /// <summary>Removes <paramref name="name"/> from every hosts line; a line left with no name is removed.</summary>
    /// <remarks>Refused while an ethers line refers to the name: the files would no longer load
    /// together. When the name was a line's canonical name, the next name on the line becomes
    /// canonical and answers reverse queries for its address.</remarks>
    public Task<TableResult<TableEdit>> DeleteHostAsync(string name, CancellationToken cancel = default)
    {
        if (HostsPath is null) return Refuse("no hosts file is configured");
        if (!IsField("name", name, out string reason)) return Refuse(reason);
        TableParse<HostsEntry> parse = HostsFileReader.Parse("hosts del", "0.0.0.0 " + name);
        if (!parse.Ok || parse.Entries[0].Aliases.Count > 0)
            return Refuse(parse.Errors.Count > 0 ? parse.Errors[0].Reason : "give one name");
        string target = parse.Entries[0].CanonicalName;

        return EditAsync(s =>
        {
            EthersEntry? user = s.Ethers.FirstOrDefault(e => target.Equals(e.HostName, StringComparison.OrdinalIgnoreCase));
            if (user is not null)
                return TableResult.Fail<TableEdit>(
                    $"{EthersPath}:{user.Line} refers to '{target}'; delete that line first (vswitchctl ethers del {target})");
            List<HostsEntry> matches = s.Hosts.Where(h => Names(h).Contains(target, StringComparer.OrdinalIgnoreCase)).ToList();
            if (matches.Count == 0) return TableResult.Fail<TableEdit>($"no hosts line has the name '{target}'");

            List<string> lines = Lines(s.HostsText);
            var removed = new List<string>();
            var added = new List<string>();
            foreach (HostsEntry h in matches.OrderByDescending(h => h.Line))
            {
                string old = lines[h.Line - 1];
                removed.Add(old.TrimEnd('\r'));
                var rest = Names(h).Where(n => !n.Equals(target, StringComparison.OrdinalIgnoreCase)).ToList();
                if (rest.Count == 0)
                {
                    lines.RemoveAt(h.Line - 1);
                    continue;
                }
                int hash = old.IndexOf('#', StringComparison.Ordinal);
                string comment = hash < 0 ? "" : "\t" + old[hash..].TrimEnd('\r');
                lines[h.Line - 1] = h.Address + "\t" + string.Join(' ', rest) + comment;
                added.Add(lines[h.Line - 1]);
            }
            removed.Reverse();
            added.Reverse();
            return Commit(s, hostsFile: true, lines, new TableEdit(HostsPath, true, added, removed), (hosts, _) =>
            {
                PeepholeTables tables = s.Tables.WithoutName(target);
                // The name may have been the reverse name of its addresses: the first line left
                // for each address names it now, as on a full load.
                foreach (IPAddress address in matches.Select(m => m.Address).Distinct())
                {
                    HostsEntry? first = hosts.FirstOrDefault(h => h.Address.Equals(address));
                    if (first is not null) tables = tables.WithHost(address, [first.CanonicalName]);
                }
                return tables;
            });
        }, cancel);
    }

    private static IEnumerable<string> Names(HostsEntry h) => h.Aliases.Prepend(h.CanonicalName);
}
