using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace VSwitch.Daemon.Control;

/// <summary>What a command did: a result to serialise, or an error (with optional detail lines).</summary>
public sealed class CommandOutcome
{
    private CommandOutcome(Action<Utf8JsonWriter>? writeResult, string? error, IReadOnlyList<string> details)
    {
        WriteResult = writeResult;
        Error = error;
        Details = details;
    }

    /// <summary>Writes the result as one JSON value; null for an error.</summary>
    public Action<Utf8JsonWriter>? WriteResult { get; }

    public string? Error { get; }

    public IReadOnlyList<string> Details { get; }

    public static CommandOutcome Success<T>(T result, JsonTypeInfo<T> type) =>
        new(w => JsonSerializer.Serialize(w, result, type), null, []);

    public static CommandOutcome Fail(string error, IReadOnlyList<string>? details = null) => new(null, error, details ?? []);
}

/// <summary>Runs one request of the control socket: the command's wire name and its JSON arguments.</summary>
public delegate Task<CommandOutcome> ControlHandler(string command, JsonElement? args, CancellationToken cancel);
