using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Logging;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>log level [LEVEL]</c>: shows or sets the least severe level vswitchd logs, at once, until it stops.</summary>
public sealed class LogLevelCommand : ControlCommand<LogLevelResult>
{
    public override string Name => "log/level";
    public override string Summary => "show or set the log level: trace, debug, information, warning, error, critical (until vswitchd stops)";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [new("level", "[LEVEL]", Min: 0)];
    public override JsonTypeInfo<LogLevelResult> ResultType => ControlJsonContext.Default.LogLevelResult;

    internal override Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        if (daemon.LogLevels is not LogLevelSwitch levels)
            return Task.FromResult(CommandOutcome.Fail("this vswitchd's log level is fixed (it was not started with a switchable one)"));
        string before = LogLevelSwitch.NameOf(levels.Level);
        if (args.Get("level") is string name)
        {
            if (!LogLevelSwitch.TryParse(name, out Microsoft.Extensions.Logging.LogLevel level))
                return Task.FromResult(CommandOutcome.Fail($"'{Datapath.Files.UntrustedText.Escape(name.Length <= 40 ? name : name[..40])}' is not a level: {string.Join(", ", LogLevelSwitch.Names)}"));
            levels.Level = level;
            daemon.LogLevelChanged(before, name);
        }
        return Task.FromResult(Success(new LogLevelResult(LogLevelSwitch.NameOf(levels.Level), before)));
    }

    protected override TextView Render(LogLevelResult result) => TextView.Text(result.Level == result.Was
        ? $"log level {result.Level}" : $"log level {result.Level} (was {result.Was})");
}

/// <param name="Level">The level now.</param>
/// <param name="Was">The level before the command.</param>
public sealed record LogLevelResult(string Level, string Was);
