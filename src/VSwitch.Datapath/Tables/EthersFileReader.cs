using System.Diagnostics.CodeAnalysis;
using System.Net;
using VSwitch.Datapath.Frames;

namespace VSwitch.Datapath.Tables;

// Reads the ethers table, which answers ARP and IPv6 neighbour discovery (addresses to MACs).
// The format is ethers(5):
//
//     # comment
//     08:00:20:00:61:ca   192.0.2.10
//     8:0:20:0:61:cb      printer.example.org     # a host name, resolved through hosts
//
// Each line is a MAC address and then either an IP address or a host name. Addresses and names
// follow TableSyntax, shared with the hosts reader, so a line means the same in both files.
//
// This runs on load and reload, never per frame, so it favours plain strings, records and lists
// over spans.

/// <summary>Parses ethers(5) files into <see cref="EthersEntry"/> records.</summary>
/// <remarks>
/// <para>Each non-blank line is <c>MAC ADDRESS-OR-HOSTNAME</c>. The MAC is six groups of one or two
/// hex digits separated by ':' or '-' (<c>8:0:20:1:2:3</c> as ether_aton writes it); it must be a
/// unicast, non-zero address, since the switch answers for it as a neighbour. The second field is
/// an IP address when it parses as one, or looks like one (and then it is reported as a bad
/// address); otherwise it must be a valid host name. '#' starts a comment anywhere, and '\r\n' line
/// ends are accepted.</para>
/// <para>Neither method throws for bad content. A bad line gives one <see cref="TableError"/> (its
/// first problem) and no entry, and every line is read, so that all bad lines are reported at
/// once.</para>
/// </remarks>
public static class EthersFileReader
{
    /// <summary>Parses the text of an ethers file.</summary>
    /// <param name="fileName">The name to report errors against.</param>
    /// <param name="text">The whole file.</param>
    public static TableParse<EthersEntry> Parse(string fileName, string text) =>
        TableSyntax.ParseLines<EthersEntry>(fileName, text, TryParseLine);

    /// <summary>Reads and parses an ethers file; a file that cannot be read is one error at line 0.</summary>
    public static TableParse<EthersEntry> Load(string path) => TableSyntax.Load<EthersEntry>(path, TryParseLine);

    /// <summary>Streams a ethers file, handing each entry to <paramref name="sink"/> as it is read,
    /// so a large table is never held as a list; errors (file, line, reason) go to <paramref name="errors"/>.</summary>
    /// <returns>The number of lines that held an entry.</returns>
    public static int Stream(string path, Action<EthersEntry> sink, List<TableError> errors) =>
        TableSyntax.Stream<EthersEntry>(path, TryParseLine, sink, errors);

    private static bool TryParseLine(string[] fields, int line, [NotNullWhen(true)] out EthersEntry? entry, out string reason)
    {
        entry = null;
        string macText = fields[0];
        if (!MacAddress.TryParseRelaxed(macText, out ulong mac))
        {
            reason = $"{TableSyntax.Quote(macText)} is not a MAC address " +
                     "(six groups of one or two hex digits separated by ':' or '-')";
            return false;
        }
        if (mac == 0)
        {
            reason = $"{TableSyntax.Quote(macText)} is the all-zero MAC address, which no neighbour can own";
            return false;
        }
        if (MacAddress.IsMulticast(mac))
        {
            reason = $"{TableSyntax.Quote(macText)} is a group (multicast or broadcast) MAC address, " +
                     "which no neighbour can own";
            return false;
        }
        if (fields.Length == 1)
        {
            reason = "line has a MAC address but no IP address or host name";
            return false;
        }

        string target = fields[1];
        IPAddress? address = null;
        string? hostName = null;
        if (TableSyntax.TryParseAddress(target, out IPAddress? parsed, out string addressReason))
        {
            address = parsed;
        }
        else if (TableSyntax.LooksLikeAddress(target))
        {
            reason = addressReason;
            return false;
        }
        else if (TableSyntax.TryValidateHostName(target, out string name, out reason))
        {
            hostName = name;
        }
        else
        {
            return false;
        }

        if (fields.Length > 2)
        {
            reason = $"unexpected {TableSyntax.Quote(fields[2])} after {TableSyntax.Quote(target)}; " +
                     "a line is a MAC address and one IP address or host name";
            return false;
        }
        entry = new EthersEntry(mac, address, hostName, line);
        reason = "";
        return true;
    }
}
