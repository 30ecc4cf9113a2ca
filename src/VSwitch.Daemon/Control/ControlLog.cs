using Microsoft.Extensions.Logging;

namespace VSwitch.Daemon.Control;

/// <summary>The control socket's log lines. None is per frame; client misbehaviour logs at Debug, since any local user may cause it.</summary>
internal static partial class ControlLog
{
    [LoggerMessage(100, LogLevel.Information, "Control socket listening on {Path}")]
    public static partial void Listening(ILogger logger, string path);

    [LoggerMessage(101, LogLevel.Information, "Removed a stale control socket at {Path}")]
    public static partial void StaleSocketRemoved(ILogger logger, string path);

    [LoggerMessage(102, LogLevel.Warning, "Control client refused: {Max} clients are connected already (logged at most once a minute; see control/clients-rejected)")]
    public static partial void ClientRejected(ILogger logger, int max);

    [LoggerMessage(103, LogLevel.Debug, "Control client sent a line longer than {Max} bytes; closing it")]
    public static partial void LineTooLong(ILogger logger, long max);

    [LoggerMessage(104, LogLevel.Debug, "Control client sent a bad request: {Reason}")]
    public static partial void BadRequest(ILogger logger, string reason);

    [LoggerMessage(105, LogLevel.Error, "Control command {Command} failed")]
    public static partial void CommandFailed(ILogger logger, string command, Exception exception);

    [LoggerMessage(106, LogLevel.Debug, "Control client did not read its response in time, or was idle too long; closing it")]
    public static partial void ClientTimedOut(ILogger logger);

    [LoggerMessage(107, LogLevel.Warning, "Accepting a control client failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(108, LogLevel.Debug, "Control command {Command}: {Outcome}")]
    public static partial void CommandDone(ILogger logger, string command, string outcome);
}
