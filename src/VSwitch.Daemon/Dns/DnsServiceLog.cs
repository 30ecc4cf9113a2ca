using Microsoft.Extensions.Logging;

namespace VSwitch.Daemon.Dns;

internal static partial class DnsServiceLog
{
    [LoggerMessage(80, LogLevel.Information, "DNS service of tenant {Tenant}: serving {Addresses} over UDP and TCP on port {Port}")]
    public static partial void Started(ILogger logger, string tenant, string addresses, string port);

    [LoggerMessage(81, LogLevel.Error, "DNS service of tenant {Tenant} did not start: {Reason}; its DNS address still answers ARP, ND and table names, but nothing else")]
    public static partial void StartFailed(ILogger logger, string tenant, string reason);

    [LoggerMessage(82, LogLevel.Information, "DNS service of tenant {Tenant} stopped")]
    public static partial void Stopped(ILogger logger, string tenant);
}
