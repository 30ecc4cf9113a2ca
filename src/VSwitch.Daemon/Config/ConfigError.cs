namespace VSwitch.Daemon.Config;

/// <summary>One refused setting: where it was written and why it was refused.</summary>
/// <param name="Source">The config file's path, or <c>command line</c>.</param>
/// <param name="Line">The 1-based line in the file, or 0 on the command line.</param>
/// <param name="Reason">A plain-English reason quoting the offending text.</param>
public sealed record ConfigError(string Source, int Line, string Reason)
{
    /// <summary><c>file:line: reason</c>, as compilers write it, or <c>command line: reason</c>.</summary>
    public override string ToString() => Line > 0 ? $"{Source}:{Line}: {Reason}" : $"{Source}: {Reason}";
}
