namespace VSwitch.Datapath.Tables;

/// <summary>One bad line in a table file: where it is and what is wrong with it.</summary>
/// <param name="File">The file name or path as the caller gave it.</param>
/// <param name="Line">The 1-based line number, or 0 when the file as a whole could not be read.</param>
/// <param name="Reason">A plain-English reason, quoting the offending text.</param>
public sealed record TableError(string File, int Line, string Reason)
{
    /// <summary>Formats as <c>file:line: reason</c>, the form compilers use, so editors can jump to it.</summary>
    public override string ToString() => $"{File}:{Line}: {Reason}";
}
