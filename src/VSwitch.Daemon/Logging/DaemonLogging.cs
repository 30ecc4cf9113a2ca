using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace VSwitch.Daemon.Logging;

/// <summary>vswitchd's logging: every line to stderr, formatted for the journal under systemd, the level switchable at run time.</summary>
public static class DaemonLogging
{
    /// <param name="levels">The level filter; <c>vswitchctl log level</c> changes it.</param>
    /// <param name="journal">Journal lines (syslog priority prefix, no time stamp); by default when systemd's JOURNAL_STREAM is set.</param>
    public static ILoggerFactory Create(LogLevelSwitch levels, bool? journal = null)
    {
        bool toJournal = journal ?? LineFormatter.StderrIsJournal;
        return LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Trace);
            builder.AddFilter((_, _, level) => levels.IsEnabled(level));
            builder.AddConsole(o =>
            {
                o.LogToStandardErrorThreshold = LogLevel.Trace;
                o.FormatterName = toJournal ? LineFormatter.JournalName : LineFormatter.TerminalName;
            });
            builder.Services.AddSingleton<ConsoleFormatter>(new LineFormatter(journal: false));
            builder.Services.AddSingleton<ConsoleFormatter>(new LineFormatter(journal: true));
        });
    }
}
