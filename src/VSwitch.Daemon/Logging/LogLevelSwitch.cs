using Microsoft.Extensions.Logging;

namespace VSwitch.Daemon.Logging;

/// <summary>The least severe level written, changeable while the daemon runs (<c>vswitchctl log level</c>).</summary>
/// <remarks>Read on every log call through the factory's filter: one volatile read, no lock.</remarks>
public sealed class LogLevelSwitch(LogLevel initial)
{
    private volatile int _level = (int)initial;

    public LogLevel Level
    {
        get => (LogLevel)_level;
        set => _level = (int)value;
    }

    public bool IsEnabled(LogLevel level) => level != LogLevel.None && (int)level >= _level;

    /// <summary>The level names, least severe first, as <c>log-level</c> and <c>vswitchctl log level</c> take them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["trace", "debug", "information", "warning", "error", "critical"];

    public static bool TryParse(string name, out LogLevel level)
    {
        int i = Names.ToList().IndexOf(name);
        level = i < 0 ? LogLevel.Information : (LogLevel)i;
        return i >= 0;
    }

    public static string NameOf(LogLevel level) => (int)level < Names.Count ? Names[(int)level] : "none";
}
