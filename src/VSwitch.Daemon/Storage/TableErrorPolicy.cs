namespace VSwitch.Daemon.Storage;

/// <summary>What a table file with bad lines does (<c>table-errors</c>).</summary>
public enum TableErrorPolicy
{
    /// <summary>The file is not put in service: at start-up vswitchd does not start, on reload the
    /// tables in service stay. Every bad line is reported. The default: a table that silently lacks
    /// a line sends that host's DNS and DHCP to whatever answers upstream.</summary>
    Refuse,

    /// <summary>The good lines are served; every bad line is logged and counted.</summary>
    Skip,
}
