using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace VSwitch.Daemon.Control;

/// <summary>What a command did: a result to serialise, or an error (with optional detail lines).</summary>
public sealed class CommandOutcome
{
    private CommandOutcome(Action<Utf8JsonWriter>? writeResult, string? error, IReadOnlyList<string> details, StreamHandler? then = null)
    {
        WriteResult = writeResult;
        Error = error;
        Details = details;
        Then = then;
    }

    /// <summary>For a streaming command (capture): what takes over the connection after the ok line.</summary>
    public StreamHandler? Then { get; }

    /// <summary>Writes the result as one JSON value; null for an error.</summary>
    public Action<Utf8JsonWriter>? WriteResult { get; }

    public string? Error { get; }

    public IReadOnlyList<string> Details { get; }

    public static CommandOutcome Success<T>(T result, JsonTypeInfo<T> type) =>
        new(w => JsonSerializer.Serialize(w, result, type), null, []);

    /// <summary>The ok line with <paramref name="result"/>, then <paramref name="then"/> owns the connection until it closes it.</summary>
    public static CommandOutcome Streaming<T>(T result, JsonTypeInfo<T> type, StreamHandler then) =>
        new(w => JsonSerializer.Serialize(w, result, type), null, [], then);

    public static CommandOutcome Fail(string error, IReadOnlyList<string>? details = null) => new(null, error, details ?? []);
}

/// <summary>Runs one request of the control socket: the command's wire name and its JSON arguments.</summary>
public delegate Task<CommandOutcome> ControlHandler(string command, JsonElement? args, CancellationToken cancel);

/// <summary>Carries a stream on the connection after a command's ok line; the connection closes when it returns.</summary>
/// <param name="connection">The connection, for writing the stream.</param>
/// <param name="fromClient">What the client sends from now on (its end-of-file asks the stream to end).</param>
public delegate Task StreamHandler(Stream connection, System.IO.Pipelines.PipeReader fromClient, CancellationToken stop);
