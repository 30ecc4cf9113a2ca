namespace VSwitch.Daemon.Storage;

/// <summary>vswitchd does not start: a tenant's table files have errors and <c>table-errors = refuse</c>.</summary>
/// <remarks>Thrown at start-up only, before any port is opened; at reload the tables in service stay instead.</remarks>
public sealed class TablesRefusedException(string message, IReadOnlyList<string> errors) : Exception(message)
{
    /// <summary>Every bad line, as <c>FILE:LINE: reason</c>.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}
