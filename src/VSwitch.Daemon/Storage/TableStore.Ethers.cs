using System.Net;
using VSwitch.Datapath.Files;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Storage;

// ethers add / ethers del: see TableStore.cs for the contract every edit keeps.
public sealed partial class TableStore
{
    /// <summary>Says that <paramref name="mac"/> owns <paramref name="target"/> (an IP address, or a host name
    /// standing for all its addresses), replacing any line for the same target.</summary>
    public Task<TableResult<TableEdit>> AddNeighborAsync(string mac, string target, CancellationToken cancel = default)
    {
        if (EthersPath is null) return Refuse("no ethers file is configured");
        if (!IsField("MAC address", mac, out string reason) || !IsField("address or name", target, out reason))
            return Refuse(reason);
        TableParse<EthersEntry> parse = EthersFileReader.Parse("ethers add", mac + " " + target);
        if (!parse.Ok) return Refuse(parse.Errors[0].Reason);
        EthersEntry entry = parse.Entries[0];

        return EditAsync(s =>
        {
            if (entry.HostName is not null && AddressesOf(entry.HostName, s.Tables).Count == 0)
                return TableResult.Fail<TableEdit>($"host name '{entry.HostName}' is not in the hosts table; add it first (vswitchctl hosts add ADDRESS {entry.HostName})");
            string line = MacAddress.Format(entry.Mac) + "\t" + (entry.Address?.ToString() ?? entry.HostName);
            List<EthersEntry> same = s.Ethers.Where(e => SameTarget(e, entry)).ToList();
            if (same.Count == 1 && same[0].Mac == entry.Mac)
                return TableResult.Success<TableEdit>(new TableEdit(EthersPath, false, [], []));

            List<string> lines = Lines(s.EthersText);
            var removed = new List<string>();
            foreach (EthersEntry e in same.OrderByDescending(e => e.Line))
            {
                removed.Insert(0, lines[e.Line - 1].TrimEnd('\r'));
                lines.RemoveAt(e.Line - 1);
            }
            Append(lines, line);
            IEnumerable<IPAddress> affected = AddressesOf(entry, s.Tables);
            return CommitEthers(s, lines, new TableEdit(EthersPath, true, [line], removed),
                ethers => WithNeighbors(s.Tables, affected, ethers));
        }, cancel);
    }

    /// <summary>Removes every ethers line for <paramref name="key"/>: a MAC address, an IP address
    /// (lines naming it directly or through a host name) or a host name.</summary>
    public Task<TableResult<TableEdit>> DeleteNeighborAsync(string key, CancellationToken cancel = default)
    {
        if (EthersPath is null) return Refuse("no ethers file is configured");
        if (!IsField("MAC address, address or name", key, out string reason)) return Refuse(reason);
        ulong? mac = null;
        IPAddress? address = null;
        string? name = null;
        if (MacAddress.TryParseRelaxed(key, out ulong m))
        {
            mac = m;
        }
        else
        {
            // Read by the hosts reader, so an address or a name means here what it means in the files.
            TableParse<HostsEntry> asAddress = HostsFileReader.Parse("ethers del", key + " x");
            TableParse<HostsEntry> asName = HostsFileReader.Parse("ethers del", "0.0.0.0 " + key);
            if (asAddress.Ok) address = asAddress.Entries[0].Address;
            else if (asName.Ok) name = asName.Entries[0].CanonicalName;
            else return Refuse($"{UntrustedText.Quote(key)} is not a MAC address, an IP address or a host name");
        }

        return EditAsync(s =>
        {
            List<EthersEntry> matches = s.Ethers.Where(e =>
                mac is ulong x ? e.Mac == x :
                address is not null ? AddressesOf(e, s.Tables).Contains(address) :
                name!.Equals(e.HostName, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count == 0) return TableResult.Fail<TableEdit>($"no ethers line matches {UntrustedText.Quote(key)}");
            List<string> lines = Lines(s.EthersText);
            var removed = new List<string>();
            foreach (EthersEntry e in matches.OrderByDescending(e => e.Line))
            {
                removed.Insert(0, lines[e.Line - 1].TrimEnd('\r'));
                lines.RemoveAt(e.Line - 1);
            }
            var affected = matches.SelectMany(e => AddressesOf(e, s.Tables)).ToList();
            return CommitEthers(s, lines, new TableEdit(EthersPath, true, [], removed),
                ethers => WithNeighbors(s.Tables, affected, ethers));
        }, cancel);
    }

    private static bool SameTarget(EthersEntry a, EthersEntry b) =>
        a.Address is not null ? a.Address.Equals(b.Address) : b.HostName is not null && a.HostName!.Equals(b.HostName, StringComparison.OrdinalIgnoreCase);
}
