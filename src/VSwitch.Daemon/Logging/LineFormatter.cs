using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace VSwitch.Daemon.Logging;

// One line per event. On a terminal or in a file: "2026-12-07T17:17:25.059Z info: Port vs0 opened
// (tap:vs0), id 0". Under systemd (stderr is the journal): "<6>Port vs0 opened ..." with the
// syslog priority the journal files it under (journalctl -p warning shows warnings and worse)
// and no time stamp, which the journal adds. The event id is left out: printed as "vswitchd[20]"
// it reads as a process id. A category other than vswitchd's own goes before the message.

/// <summary>vswitchd's log lines, for a terminal or for the journal.</summary>
public sealed class LineFormatter : ConsoleFormatter
{
    public const string TerminalName = "vswitchd", JournalName = "vswitchd-journal";

    private readonly bool _journal;

    public LineFormatter(bool journal) : base(journal ? JournalName : TerminalName) => _journal = journal;

    /// <summary>True when stderr is the journal: systemd sets JOURNAL_STREAM for a unit whose output goes there.</summary>
    public static bool StderrIsJournal => Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 };

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        LogEntry<TState> entry = logEntry;
        string message = entry.Formatter(entry.State, entry.Exception);
        if (entry.Exception is not null) message += " " + entry.Exception;
        // One event, one line: the journal and grep both expect it.
        message = message.ReplaceLineEndings(" | ");
        if (entry.Category != "vswitchd") message = entry.Category + ": " + message;
        if (_journal)
        {
            textWriter.Write('<');
            textWriter.Write(Priority(entry.LogLevel));
            textWriter.Write('>');
        }
        else
        {
            textWriter.Write(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ ", System.Globalization.CultureInfo.InvariantCulture));
            textWriter.Write(Label(entry.LogLevel));
            textWriter.Write(": ");
        }
        textWriter.WriteLine(message);
    }

    // syslog(3) priorities, as sd-daemon(3) prefixes take them.
    private static char Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => '2',
        LogLevel.Error => '3',
        LogLevel.Warning => '4',
        LogLevel.Information => '6',
        _ => '7',
    };

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Critical => "crit",
        LogLevel.Error => "fail",
        LogLevel.Warning => "warn",
        LogLevel.Information => "info",
        LogLevel.Debug => "dbug",
        _ => "trce",
    };
}
