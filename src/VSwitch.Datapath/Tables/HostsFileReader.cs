using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace VSwitch.Datapath.Tables;

// Reads the hosts table, which answers DNS (names to addresses) and feeds the ethers table's
// host names. The format is hosts(5):
//
//     # comment
//     192.0.2.10      web.example.org   web      # canonical name, then aliases
//     2001:db8::10    web.example.org   web
//
// One line per address: the address, the canonical name, then any aliases, separated by spaces
// or tabs. Addresses and names follow TableSyntax, which the ethers reader shares.
//
// This runs on load and reload, never per frame, so it favours plain strings, records and lists
// over spans.

/// <summary>Parses hosts(5) files into <see cref="HostsEntry"/> records.</summary>
/// <remarks>
/// <para>Each non-blank line is <c>ADDRESS CANONICAL [ALIAS...]</c>. '#' starts a comment anywhere,
/// and '\r\n' line ends are accepted. Addresses are IPv4 dotted quads or IPv6 without a zone id;
/// names are host names of up to 253 characters, kept as written apart from one trailing dot.</para>
/// <para>Neither method throws for bad content. A bad line gives one <see cref="TableError"/> (its
/// first problem) and no entry, and every line is read, so that all bad lines are reported at
/// once. The same name may appear on several lines.</para>
/// </remarks>
public static class HostsFileReader
{
    /// <summary>Parses the text of a hosts file.</summary>
    /// <param name="fileName">The name to report errors against.</param>
    /// <param name="text">The whole file.</param>
    public static TableParse<HostsEntry> Parse(string fileName, string text) =>
        TableSyntax.ParseLines<HostsEntry>(fileName, text, TryParseLine);

    /// <summary>Reads and parses a hosts file; a file that cannot be read is one error at line 0.</summary>
    public static TableParse<HostsEntry> Load(string path) => TableSyntax.Load<HostsEntry>(path, TryParseLine);

    /// <summary>Streams a hosts file, handing each entry to <paramref name="sink"/> as it is read,
    /// so a large table is never held as a list; errors (file, line, reason) go to <paramref name="errors"/>.</summary>
    /// <returns>The number of lines that held an entry.</returns>
    public static int Stream(string path, Action<HostsEntry> sink, List<TableError> errors) =>
        TableSyntax.Stream<HostsEntry>(path, TryParseLine, sink, errors);

    private static bool TryParseLine(string[] fields, int line, [NotNullWhen(true)] out HostsEntry? entry, out string reason)
    {
        entry = null;
        if (!TableSyntax.TryParseAddress(fields[0], out IPAddress? address, out reason)) return false;
        if (fields.Length == 1)
        {
            reason = "line has an address but no name";
            return false;
        }
        string[] names = new string[fields.Length - 1];
        for (int i = 0; i < names.Length; i++)
        {
            if (!TableSyntax.TryValidateHostName(fields[i + 1], out names[i], out reason)) return false;
        }
        entry = new HostsEntry(address, names[0], Array.AsReadOnly(names[1..]), line);
        return true;
    }
}
