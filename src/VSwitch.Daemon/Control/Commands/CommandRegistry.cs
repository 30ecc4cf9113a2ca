namespace VSwitch.Daemon.Control.Commands;

/// <summary>Every control command, by wire name.</summary>
/// <remarks>The same registry serves the daemon (to run a request) and vswitchctl (to build one and
/// print its result). Adding a command is one file plus one line here.</remarks>
public static class CommandRegistry
{
    public static IReadOnlyList<ControlCommand> All { get; } =
    [
        new Help(),
        new Ports(),
        new PortAdd(),
        new PortDel(),
        new Stats(),
        new FdbShow(),
        new FdbFlush(),
        new HostsList(),
        new HostsAdd(),
        new HostsDel(),
        new EthersList(),
        new EthersAdd(),
        new EthersDel(),
        new Reload(),
        new Tenants(),
        new LogLevelCommand(),
        new CaptureCommand(),
        new TraceCommand(),
    ];

    private static readonly Dictionary<string, ControlCommand> ByName = All.ToDictionary(c => c.Name);

    public static ControlCommand? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The command whose name, in words, is within two edits of <paramref name="words"/> ("prots" → "ports",
    /// "fdb shwo" → "fdb show"), or null when none or several are.</summary>
    public static ControlCommand? Closest(string words)
    {
        if (words.Length > 40) return null;
        ControlCommand[] close = [.. All.Where(c => Distance(c.Name.Replace('/', ' '), words) <= 2
            || (c.Name.Contains('/', StringComparison.Ordinal) && Distance(c.Name.Split('/')[0], words) <= 1))];
        return close.Length == 1 || close.Select(c => c.Name.Split('/')[0]).Distinct().Count() == 1 ? close.FirstOrDefault() : null;
    }

    // Edit distance (insert, delete, substitute, swap two neighbours): typos, not meanings.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
