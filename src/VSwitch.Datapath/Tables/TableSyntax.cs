using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VSwitch.Datapath.Tables;

// The syntax that the hosts and ethers readers share: lines, comments and fields, addresses,
// host names, file reading, and the quoting of bad input in error reasons. Both readers go
// through here so that an address or a name that one file accepts, the other accepts too.
//
// This is the cold path (load and reload), so it favours plain string code over spans. It
// still distrusts its input: nothing here throws for file content, every length is bounded
// before it is used, and text quoted back into a reason is truncated and escaped so that a
// hostile file cannot flood a log or smuggle control characters into a terminal.

/// <summary>Lines, fields, addresses and host names as hosts(5) and ethers(5) write them.</summary>
internal static class TableSyntax
{
    /// <summary>The longest host name in text form, without its trailing dot (RFC 1035's 255 wire bytes).</summary>
    public const int MaxNameLength = 253;

    /// <summary>The longest label of a host name (RFC 1035).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>A line parser for one table format: the fields of one non-blank line to an entry or a reason.</summary>
    /// <param name="fields">The line's fields, at least one, without comment or separators.</param>
    /// <param name="line">The 1-based line number, for the entry.</param>
    /// <param name="entry">The entry, when the line is good.</param>
    /// <param name="reason">Why the line is bad, when it is.</param>
    public delegate bool LineParser<T>(string[] fields, int line, [NotNullWhen(true)] out T? entry, out string reason)
        where T : class;

    private static readonly char[] FieldSeparators = [' ', '\t'];
    private static readonly SearchValues<char> NeverInNames = SearchValues.Create(":%/");
    private static readonly SearchValues<char> DigitsAndDots = SearchValues.Create("0123456789.");
    private static readonly SearchValues<char> HostNameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
    private static readonly SearchValues<char> IPv6Chars = SearchValues.Create("0123456789abcdefABCDEF:.");

    /// <summary>
    /// Splits <paramref name="text"/> into lines and parses each non-blank one with
    /// <paramref name="parseLine"/>, collecting every entry and every error.
    /// </summary>
    /// <remarks>Lines end at '\n', and a '\r' before it is dropped, so Windows files read the same.
    /// '#' starts a comment anywhere on a line. Fields are separated by runs of spaces and tabs;
    /// a line with no fields is skipped. A bad line adds one error (its first problem) and no
    /// entry: keeping part of a line would silently change what the line says.</remarks>
    public static TableParse<T> ParseLines<T>(string fileName, string text, LineParser<T> parseLine) where T : class
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<T>();
        var errors = new List<TableError>();
        int lineNumber = 0;
        foreach (string rawLine in text.Split('\n'))
        {
            lineNumber++;
            ParseLine(fileName, rawLine, lineNumber, parseLine, entries.Add, errors);
        }
        return new TableParse<T>(entries.AsReadOnly(), errors.AsReadOnly());
    }

    /// <summary>
    /// Streams the file at <paramref name="path"/> through <see cref="Files.BoundedFile"/>, parsing each
    /// line with <paramref name="parseLine"/> and handing each entry to <paramref name="sink"/> as it
    /// is read; a file that cannot be read whole adds one error at line 0 with the reason.
    /// </summary>
    /// <returns>The number of lines that held an entry.</returns>
    public static int Stream<T>(string path, LineParser<T> parseLine, Action<T> sink, List<TableError> errors) where T : class
    {
        ArgumentNullException.ThrowIfNull(path);
        int entries = 0;
        if (!Files.BoundedFile.TryReadLines(path, (line, number) =>
            {
                if (ParseLine(path, line, number, parseLine, sink, errors)) entries++;
            }, out _, out string reason))
            errors.Add(new TableError(path, 0, reason));
        return entries;
    }

    /// <summary>Reads a whole table file with <see cref="Stream{T}"/>, collecting its entries.</summary>
    public static TableParse<T> Load<T>(string path, LineParser<T> parseLine) where T : class
    {
        var entries = new List<T>();
        var errors = new List<TableError>();
        Stream(path, parseLine, entries.Add, errors);
        return new TableParse<T>(entries.AsReadOnly(), errors.AsReadOnly());
    }

    // One line: a '\r' before the '\n' is dropped, '#' starts a comment, fields are separated by
    // runs of spaces and tabs, and a line with no fields is skipped.
    private static bool ParseLine<T>(string fileName, string rawLine, int lineNumber, LineParser<T> parseLine, Action<T> sink,
        List<TableError> errors) where T : class
    {
        ReadOnlySpan<char> line = rawLine.AsSpan();
        if (line.EndsWith('\r')) line = line[..^1];
        int hash = line.IndexOf('#');
        if (hash >= 0) line = line[..hash];
        if (line.Trim(" \t").IsEmpty) return false;
        string[] fields = line.ToString().Split(FieldSeparators, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0) return false;
        if (parseLine(fields, lineNumber, out T? entry, out string reason))
        {
            sink(entry);
            return true;
        }
        errors.Add(new TableError(fileName, lineNumber, reason));
        return false;
    }

    /// <summary>
    /// Parses an IPv4 address in dotted-quad form or an IPv6 address without a zone id.
    /// </summary>
    /// <remarks>
    /// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> alone is too lenient for a table:
    /// it takes <c>1.2.3</c>, <c>0x7f.1</c> and octal-looking octets for IPv4, and brackets, ports
    /// and zone ids for IPv6. Dotted quads are therefore checked here, octet by octet, with no
    /// leading zeros (<c>010</c> means 8 to some resolvers and 10 to others). IPv6 text is limited to
    /// hex digits, ':' and '.', with groups of at most four digits and a strict dotted quad when
    /// one is embedded, before the runtime parses it. IPv4-mapped and other special IPv6 forms are
    /// accepted: they are valid addresses, and what to answer for them is the tables' decision.
    /// </remarks>
    public static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address, out string reason)
    {
        string detail;
        if (text.Contains('%'))
        {
            address = null;
            detail = "zone ids (a '%' suffix) are not allowed";
        }
        else if (text.Contains('/'))
        {
            address = null;
            detail = "a prefix length (a '/' suffix) is not allowed";
        }
        else if (text.Contains(':') ? TryParseIPv6(text, out address, out detail) : TryParseIPv4(text, out address, out detail))
        {
            reason = "";
            return true;
        }
        reason = detail.Length == 0
            ? $"{Quote(text)} is not an IPv4 or IPv6 address"
            : $"{Quote(text)} is not an IPv4 or IPv6 address: {detail}";
        return false;
    }

    /// <summary>
    /// True when <paramref name="text"/> can only have been meant as an address: it contains ':', '%'
    /// or '/', which no host name may, or only digits and dots.
    /// </summary>
    /// <remarks>Where a field may hold either (the second field of an ethers line), this decides
    /// whether a bad field is reported with the address reason or the name reason.</remarks>
    public static bool LooksLikeAddress(string text) =>
        text.AsSpan().ContainsAny(NeverInNames) || !text.AsSpan().ContainsAnyExcept(DigitsAndDots);

    /// <summary>
    /// Checks a host name (RFC 952 and 1123, plus '_' as real hosts files use it) and removes a
    /// single trailing dot; the name is otherwise kept as written, case included.
    /// </summary>
    /// <remarks>
    /// A name is at most 253 characters of labels separated by dots. A label is 1 to 63 ASCII
    /// letters, digits, hyphens and underscores, and neither begins nor ends with a hyphen. The last
    /// label may not be all digits (RFC 1123 2.1 and RFC 3696 2): such a name reads as a mistyped
    /// address, as in <c>1.2.3</c>, and in an ethers file it would otherwise be taken for a name.
    /// </remarks>
    public static bool TryValidateHostName(string text, out string normalized, out string reason)
    {
        normalized = "";
        string name = text.EndsWith('.') ? text[..^1] : text;
        if (name.Length == 0)
        {
            reason = $"name {Quote(text)} is empty";
            return false;
        }
        // Labels are walked as spans: this runs once per name of a million-line file.
        ReadOnlySpan<char> rest = name;
        ReadOnlySpan<char> lastLabel = default;
        while (true)
        {
            int dot = rest.IndexOf('.');
            ReadOnlySpan<char> label = dot < 0 ? rest : rest[..dot];
            lastLabel = label;
            if (label.Length == 0)
            {
                reason = $"name {Quote(text)} has an empty label";
                return false;
            }
            int bad = label.IndexOfAnyExcept(HostNameChars);
            if (bad >= 0)
            {
                reason = $"character {Quote(label[bad].ToString())} in name {Quote(text)} is not allowed; " +
                         "names are ASCII letters, digits, '-' and '_'";
                return false;
            }
            if (label.Length > MaxLabelLength)
            {
                reason = $"label {Quote(label.ToString())} in name {Quote(text)} is longer than {MaxLabelLength} characters";
                return false;
            }
            if (label[0] == '-' || label[^1] == '-')
            {
                reason = $"label {Quote(label.ToString())} in name {Quote(text)} {(label[0] == '-' ? "begins" : "ends")} with a hyphen";
                return false;
            }
            if (dot < 0) break;
            rest = rest[(dot + 1)..];
        }
        if (name.Length > MaxNameLength)
        {
            reason = $"name {Quote(text)} is {name.Length} characters long; the limit is {MaxNameLength}";
            return false;
        }
        if (!lastLabel.ContainsAnyExceptInRange('0', '9'))
        {
            reason = $"name {Quote(text)} ends in an all-numeric label, which only an address may have";
            return false;
        }
        normalized = name;
        reason = "";
        return true;
    }

    /// <summary>Quotes input text for a reason (<see cref="Files.UntrustedText.Quote"/>).</summary>
    public static string Quote(string text) => Files.UntrustedText.Quote(text);

    // A strict dotted quad: four decimal octets, each 0-255 with no leading zero. The detail is
    // empty when the text does not even look like an IPv4 address.
    private static bool TryParseIPv4(string text, [NotNullWhen(true)] out IPAddress? address, out string detail)
    {
        address = null;
        if (text.Length == 0 || text.AsSpan().ContainsAnyExcept(DigitsAndDots))
        {
            detail = "";
            return false;
        }
        string[] octets = text.Split('.');
        if (octets.Length != 4)
        {
            detail = "an IPv4 address is four decimal octets, as in 192.0.2.1";
            return false;
        }
        Span<byte> bytes = stackalloc byte[4];
        for (int i = 0; i < octets.Length; i++)
        {
            string octet = octets[i];
            if (octet.Length == 0)
            {
                detail = "an octet is empty";
                return false;
            }
            if (octet.Length > 1 && octet[0] == '0')
            {
                detail = $"octet {Quote(octet)} has a leading zero, which some resolvers read as octal";
                return false;
            }
            // Only digits are left, and at most three of them are parsed, so nothing can overflow.
            int value = octet.Length > 3 ? 256 : int.Parse(octet, NumberStyles.None, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                detail = $"octet {Quote(octet)} is greater than 255";
                return false;
            }
            bytes[i] = (byte)value;
        }
        address = new IPAddress(bytes);
        detail = "";
        return true;
    }

    private static bool TryParseIPv6(string text, [NotNullWhen(true)] out IPAddress? address, out string detail)
    {
        address = null;
        detail = "";
        if (text.AsSpan().ContainsAnyExcept(IPv6Chars)) return false;
        int lastColon = text.LastIndexOf(':');
        int firstDot = text.IndexOf('.', StringComparison.Ordinal);
        if (firstDot >= 0)
        {
            // An embedded IPv4 address (as in ::ffff:192.0.2.1) may only be the last part.
            if (firstDot < lastColon) return false;
            if (!TryParseIPv4(text[(lastColon + 1)..], out _, out string ipv4Detail))
            {
                detail = ipv4Detail.Length == 0 ? "" : "in its IPv4 part, " + ipv4Detail;
                return false;
            }
        }
        foreach (string group in text[..lastColon].Split(':'))
        {
            if (group.Length > 4)
            {
                detail = $"group {Quote(group)} has more than four hex digits";
                return false;
            }
        }
        if (firstDot < 0 && text.Length - lastColon - 1 > 4)
        {
            detail = $"group {Quote(text[(lastColon + 1)..])} has more than four hex digits";
            return false;
        }
        if (!IPAddress.TryParse(text, out IPAddress? parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
            return false;
        address = parsed;
        return true;
    }
}
