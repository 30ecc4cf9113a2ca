using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>help</c>: every command the daemon knows, with its usage.</summary>
public sealed class Help : ControlCommand<HelpResult>
{
    public override string Name => "help";
    public override string Summary => "list the commands";
    public override JsonTypeInfo<HelpResult> ResultType => ControlJsonContext.Default.HelpResult;

    internal override Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel) =>
        Task.FromResult(Success(new HelpResult(CommandRegistry.All.Select(c => new CommandHelp(c.Name, c.Usage, c.Summary)).ToList())));

    protected override TextView Render(HelpResult result) =>
        TextView.Table(["command", "what it does"], result.Commands.Select(c => new[] { c.Usage, c.Summary }));
}

public sealed record HelpResult(IReadOnlyList<CommandHelp> Commands);

/// <param name="Name">The wire name.</param>
/// <param name="Usage">The command as typed to vswitchctl.</param>
/// <param name="Summary">What it does.</param>
public sealed record CommandHelp(string Name, string Usage, string Summary);
