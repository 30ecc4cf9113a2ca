namespace VSwitch.Daemon.Storage;

/// <summary>One table file of a tenant as <c>vswitchctl tenants</c> reports it.</summary>
/// <param name="File">The file.</param>
/// <param name="Loaded">True when a table read from this file is in service.</param>
/// <param name="Lines">Lines holding an entry in the table in service (0 when none is).</param>
/// <param name="BadLines">Bad lines in the file as last read: left out of service under <c>table-errors = skip</c>,
/// the reason it was refused under <c>refuse</c>.</param>
/// <param name="LastError">The first error of the last read (<c>FILE:LINE: reason</c>), or null when it had none.</param>
/// <param name="LoadedAt">When the table in service was read, or null.</param>
/// <param name="CheckedAt">When the file was last read, whether or not it was put in service.</param>
public sealed record TableState(string File, bool Loaded, int Lines, int BadLines, string? LastError,
    DateTimeOffset? LoadedAt, DateTimeOffset? CheckedAt)
{
    /// <summary>A file not read yet.</summary>
    public static TableState Unread(string file) => new(file, false, 0, 0, null, null, null);
}
