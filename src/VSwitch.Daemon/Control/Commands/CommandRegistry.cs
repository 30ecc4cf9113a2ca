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
    ];

    private static readonly Dictionary<string, ControlCommand> ByName = All.ToDictionary(c => c.Name);

    public static ControlCommand? Find(string name) => ByName.GetValueOrDefault(name);
}
