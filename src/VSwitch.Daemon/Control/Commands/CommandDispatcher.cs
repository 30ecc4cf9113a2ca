using System.Text.Json;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Datapath.Files;

namespace VSwitch.Daemon.Control.Commands;

/// <summary>The control socket's handler for a daemon: find the command, check its arguments, run it.</summary>
/// <remarks>Given to <see cref="Daemon.StartAsync"/> by whoever starts the daemon, so that the
/// commands depend on the daemon and not the other way round.</remarks>
public static class CommandDispatcher
{
    public static ControlHandler For(Daemon daemon) => (name, args, cancel) => DispatchAsync(daemon, name, args, cancel);

    private static async Task<CommandOutcome> DispatchAsync(Daemon daemon, string name, JsonElement? args, CancellationToken cancel)
    {
        ControlCommand? command = CommandRegistry.Find(name);
        if (command is null) return CommandOutcome.Fail($"unknown command {UntrustedText.Quote(name)}; 'help' lists the commands");
        if (!CommandArgs.TryCreate(args, command.Arguments, out CommandArgs checkedArgs, out string error))
            return CommandOutcome.Fail($"{command.Name}: {error} (usage: {command.Usage})");
        return await command.ExecuteAsync(daemon, checkedArgs, cancel).ConfigureAwait(false);
    }
}
