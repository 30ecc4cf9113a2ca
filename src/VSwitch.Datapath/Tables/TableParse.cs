namespace VSwitch.Datapath.Tables;

/// <summary>The result of reading a table file: the entries of its good lines and an error for each bad one.</summary>
/// <remarks>A file with errors is reported whole: <see cref="Errors"/> holds every bad line, in file
/// order, not just the first. <see cref="Entries"/> still holds the good lines so that a caller can show
/// them, but a file that is not <see cref="Ok"/> should not replace a table that is in use.</remarks>
public sealed record TableParse<T>(IReadOnlyList<T> Entries, IReadOnlyList<TableError> Errors)
{
    /// <summary>True when every line of the file was good.</summary>
    public bool Ok => Errors.Count == 0;
}
