using Microsoft.Extensions.Logging;
using VSwitch.Ctl;
using VSwitch.Daemon.Logging;
using VSwitch.Tests.Control;

namespace VSwitch.Tests.Logging;

/// <summary>vswitchd's log lines (terminal and journal forms, no event id) and the level changed at run time.</summary>
public sealed class LoggingTests
{
    private static string Lines(bool journal, Action<ILogger> log)
    {
        var output = new StringWriter();
        var formatter = new LineFormatter(journal);
        var provider = new CapturingProvider(formatter, output);
        using (var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(provider)))
            log(factory.CreateLogger("vswitchd"));
        return output.ToString();
    }

    [Fact]
    public void Journal_PriorityPrefix_NoTimestamp_NoEventId()
    {
        string text = Lines(journal: true, log =>
        {
            log.Log(LogLevel.Warning, new EventId(23), "Port vs0 went down", null, (s, _) => s);
            log.Log(LogLevel.Critical, new EventId(5), "loop failed", null, (s, _) => s);
            log.Log(LogLevel.Information, new EventId(20), "two\nlines", null, (s, _) => s);
        });
        Assert.Equal("<4>Port vs0 went down\n<2>loop failed\n<6>two | lines\n", text.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Terminal_TimeAndLevel_NoEventIdThatReadsLikeAPid()
    {
        string text = Lines(journal: false, log => log.Log(LogLevel.Information, new EventId(20), "Port vs0 opened", null, (s, _) => s));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: Port vs0 opened\n$", text.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("[20]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void LevelSwitch_FiltersAtOnce()
    {
        var levels = new LogLevelSwitch(LogLevel.Information);
        Assert.False(levels.IsEnabled(LogLevel.Debug));
        levels.Level = LogLevel.Debug;
        Assert.True(levels.IsEnabled(LogLevel.Debug));
        Assert.False(levels.IsEnabled(LogLevel.None));
    }

    [Fact]
    public async Task VswitchctlLogLevel_ShowsAndSets_RefusesABadName()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(CommandLine.ExitFailed, await CommandLine.RunAsync(["--control", d.Socket, "log", "level"], stdout, stderr));
        Assert.Contains("log level is fixed", stderr.ToString(), StringComparison.Ordinal);

        d.Daemon.LogLevels = new LogLevelSwitch(LogLevel.Information);
        Assert.Equal(CommandLine.ExitOk, await CommandLine.RunAsync(["--control", d.Socket, "log", "level", "debug"], stdout, stderr));
        Assert.Contains("log level debug (was information)", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(LogLevel.Debug, d.Daemon.LogLevels.Level);
        Assert.Equal(CommandLine.ExitFailed, await CommandLine.RunAsync(["--control", d.Socket, "log", "level", "loud"], stdout, stderr));
        Assert.Contains("'loud' is not a level", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(LogLevel.Debug, d.Daemon.LogLevels.Level);
    }

    // The console provider writes on a thread of its own; this one writes through the formatter at once.
    private sealed class CapturingProvider(LineFormatter formatter, TextWriter output) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, formatter, output);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, LineFormatter formatter, TextWriter output) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter1) =>
                formatter.Write(new Microsoft.Extensions.Logging.Abstractions.LogEntry<TState>(logLevel, category, eventId, state, exception, formatter1), null, output);
        }
    }
}
