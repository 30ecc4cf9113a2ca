namespace VSwitch.Daemon.Storage;

/// <summary>What a table operation did, or why it did nothing: errors are values here, not exceptions.</summary>
/// <param name="Value">The result, when the operation succeeded.</param>
/// <param name="Error">Why it was refused or failed; null on success.</param>
/// <param name="Details">Further lines for the error, such as every bad line of a reload (<c>file:line: reason</c>).</param>
public sealed record TableResult<T>(T? Value, string? Error, IReadOnlyList<string> Details) where T : class
{
    public bool Ok => Error is null;
}

/// <summary>Makes <see cref="TableResult{T}"/>s.</summary>
public static class TableResult
{
    public static TableResult<T> Success<T>(T value) where T : class => new(value, null, []);

    public static TableResult<T> Fail<T>(string error, IReadOnlyList<string>? details = null) where T : class => new(null, error, details ?? []);
}

/// <summary>A table edit that was written and is answering.</summary>
/// <param name="File">The file that was rewritten.</param>
/// <param name="Changed">False when the table already said this and nothing was written.</param>
/// <param name="Added">The lines added, as written.</param>
/// <param name="Removed">The lines removed or replaced, as they were.</param>
public sealed record TableEdit(string File, bool Changed, IReadOnlyList<string> Added, IReadOnlyList<string> Removed)
{
    /// <summary>The tenant whose table was edited (set by the daemon; null from a bare <see cref="TableStore"/>).</summary>
    public string? Tenant { get; init; }
}

/// <summary>A load of both tables that was put in service.</summary>
public sealed record TableLoad(string? HostsFile, int HostsEntries, string? EthersFile, int EthersEntries)
{
    /// <summary>The tenant whose tables were loaded (set by the daemon; null from a bare <see cref="TableStore"/>).</summary>
    public string? Tenant { get; init; }

    /// <summary>Bad lines of the hosts file left out (<c>table-errors = skip</c>; always 0 under <c>refuse</c>).</summary>
    public int HostsBadLines { get; init; }

    /// <summary>Bad lines of the ethers file left out.</summary>
    public int EthersBadLines { get; init; }
}

/// <summary>One line of the hosts table as listed.</summary>
public sealed record HostsLine(int Line, string Address, IReadOnlyList<string> Names);

/// <summary>One line of the ethers table as listed; <paramref name="Target"/> is an address or a host name.</summary>
public sealed record EthersLine(int Line, string Mac, string Target);
