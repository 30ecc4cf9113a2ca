using Microsoft.Extensions.Logging;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Hosting;
using VSwitch.Daemon.Logging;

// vswitchd: reads its options (and the config file they name), sets up logging to stderr and
// hands over to VSwitch.Daemon. Everything it does is documented in docs/configuration.md.
CommandLineResult parsed = CommandLine.Parse(args);
if (parsed.Version)
{
    Console.WriteLine(ProgramVersion.Of("vswitchd"));
    return Vswitchd.ExitOk;
}
if (parsed.Help)
{
    Console.WriteLine(HelpText());
    return Vswitchd.ExitOk;
}
if (parsed.Config is not SwitchConfig config)
{
    foreach (ConfigError error in parsed.Errors) Console.Error.WriteLine("vswitchd: " + error);
    Console.Error.WriteLine("vswitchd: try 'vswitchd --help'");
    return Vswitchd.ExitUsage;
}

var levels = new LogLevelSwitch(config.LogLevel);
using ILoggerFactory logs = DaemonLogging.Create(levels);
return await Vswitchd.RunAsync(config, logs, Console.Out, levels: levels);

static string HelpText() => $"""
    usage: vswitchd [--config FILE] [--KEY VALUE ...]

    A userspace learning switch that answers ARP, neighbour discovery and DNS from its own
    tables. Runs in the foreground and logs to stderr. SIGTERM or SIGINT stops it cleanly;
    SIGHUP reloads the hosts and ethers tables (a table with errors is not put in service).

    Options (each is also a key of the config file, written 'KEY = VALUE'; options override it):
      --config FILE                      read settings from FILE first
      --version                          print the version and exit
    {ConfigKeys.HelpText()}

    With no options: ports tap:vs0 and tap:vs1, tables {Defaults.HostsPath} and
    {Defaults.EthersPath} (created with a commented sample when missing), no zone, and the
    control socket {Defaults.ControlPath} (see vswitchctl).
    With only pcap-file: ports it replays the captures to the end, prints the counters and exits.

    Tenants: a section '[tenant NAME]' of the config file gives a tenant its own tables, bound
    to VLANs and/or ports; the keys before the first section are the default tenant's. A section
    takes {string.Join(", ", TenantSections.Keys)}
    (docs/configuration.md, Tenants).

    Exit status: 0 stopped cleanly or replay done; 1 no port could be opened, the control socket
    could not be created, or the forwarding loop failed; 2 bad options, config file or
    tables (table-errors = refuse: the bad lines are printed).
    """;
