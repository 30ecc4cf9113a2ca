using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;

namespace VSwitch.Daemon.Control;

/// <summary>A connection to vswitchd's control socket: what vswitchctl and the tests talk through.</summary>
/// <remarks>One request at a time per connection (calls are serialised); a connection may carry
/// any number of them. Not thread-safe beyond that: use one client per concurrent caller.</remarks>
public sealed class ControlClient : IAsyncDisposable, IDisposable
{
    /// <summary>The longest response line accepted: large tables list to tens of megabytes.</summary>
    public const long MaxResponseBytes = 512L * 1024 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ControlClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    /// <summary>The socket's path.</summary>
    public string Path { get; private init; } = "";

    /// <summary>Connects to the daemon's socket.</summary>
    /// <exception cref="ControlConnectException">Nobody is listening, or the socket is not accessible; the message says which, in words.</exception>
    public static async Task<ControlClient> ConnectAsync(string path, CancellationToken cancel = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancel).ConfigureAwait(false);
            return new ControlClient(socket) { Path = path };
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ControlConnectException($"cannot connect to {path}: {Explain(path, e)}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request and returns the daemon's answer, success or error.</summary>
    /// <exception cref="ControlProtocolException">The daemon closed the connection or sent something that is not a response.</exception>
    public Task<ControlReply> CallAsync(string command, JsonObject? args = null, CancellationToken cancel = default) =>
        SendLineAsync(RequestLine(command, args), cancel);

    /// <summary>Sends a streaming command's request (capture) and returns its answer and, after an ok
    /// answer, the stream that follows it on the connection, which ends when the daemon closes it.</summary>
    /// <remarks>Call <see cref="EndSending"/> to ask the daemon to end the stream.</remarks>
    public async Task<(ControlReply Reply, PipeReader Stream)> StartStreamAsync(string command, JsonObject? args, CancellationToken cancel = default) =>
        (await SendLineAsync(RequestLine(command, args), cancel).ConfigureAwait(false), _reader);

    /// <summary>Closes the sending side of the connection: for a stream, the daemon's cue to finish it.</summary>
    public void EndSending()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: the stream is ending anyway.
        }
    }

    private static byte[] RequestLine(string command, JsonObject? args)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("command", command);
            if (args is not null)
            {
                w.WritePropertyName("args");
                args.WriteTo(w);
            }
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Sends a request and returns its result as <typeparamref name="T"/>.</summary>
    /// <exception cref="ControlCommandException">The daemon answered with an error.</exception>
    public async Task<T> CallAsync<T>(string command, JsonObject? args, JsonTypeInfo<T> resultType, CancellationToken cancel = default)
    {
        ControlReply reply = await CallAsync(command, args, cancel).ConfigureAwait(false);
        if (!reply.Ok) throw new ControlCommandException(reply.Error ?? "error", reply.Errors);
        return reply.Result.Deserialize(resultType) ?? throw new ControlProtocolException("the response has no result");
    }

    /// <summary>Sends raw bytes (which should end in a newline) and reads one response line: for tests and tools.</summary>
    public async Task<ControlReply> SendLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancel = default)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(line, cancel).ConfigureAwait(false);
            return await ReadReplyAsync(cancel).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ControlProtocolException("the connection to vswitchd was lost: " + e.Message, e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads one response line without sending anything (after <see cref="SendLineAsync"/> of several lines).</summary>
    public async Task<ControlReply> ReadReplyAsync(CancellationToken cancel = default)
    {
        byte[] line;
        try
        {
            line = await LineFraming.ReadLineAsync(_reader, MaxResponseBytes, cancel).ConfigureAwait(false)
                ?? throw new ControlProtocolException("vswitchd closed the connection without answering");
        }
        catch (InvalidDataException e)
        {
            throw new ControlProtocolException("the response is too long: " + e.Message, e);
        }
        ControlResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(line, ProtocolJsonContext.Default.ControlResponse);
        }
        catch (JsonException e)
        {
            throw new ControlProtocolException("the response is not JSON: " + e.Message, e);
        }
        if (response is null) throw new ControlProtocolException("the response is empty");
        return new ControlReply(response.Ok, response.Result ?? default, response.Error, response.Errors ?? []);
    }

    private static string Explain(string path, SocketException e) => e.SocketErrorCode switch
    {
        _ when !File.Exists(path) && !Directory.Exists(path) => "no such file (is vswitchd running?)",
        SocketError.ConnectionRefused => "connection refused (vswitchd is not running; the socket is left over)",
        SocketError.AccessDenied => "permission denied (run as root, or as a member of the socket's group)",
        _ => e.Message,
    };

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    public void Dispose()
    {
        _reader.Complete();
        _stream.Dispose();
        _socket.Dispose();
        _gate.Dispose();
    }
}

/// <summary>The daemon's answer to one request.</summary>
/// <param name="Ok">Whether the command did what was asked.</param>
/// <param name="Result">The result (when <paramref name="Ok"/>), as JSON; its shape is the command's.</param>
/// <param name="Error">Why not, when not <paramref name="Ok"/>.</param>
/// <param name="Errors">Further error lines (a reload's bad table lines), possibly empty.</param>
public sealed record ControlReply(bool Ok, JsonElement Result, string? Error, IReadOnlyList<string> Errors);

/// <summary>The control socket cannot be reached.</summary>
public sealed class ControlConnectException : Exception
{
    public ControlConnectException() { }
    public ControlConnectException(string message) : base(message) { }
    public ControlConnectException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The daemon answered a command with an error.</summary>
public sealed class ControlCommandException : Exception
{
    public ControlCommandException() => Errors = [];
    public ControlCommandException(string message) : base(message) => Errors = [];
    public ControlCommandException(string message, Exception inner) : base(message, inner) => Errors = [];
    public ControlCommandException(string message, IReadOnlyList<string> errors) : base(message) => Errors = errors;

    public IReadOnlyList<string> Errors { get; }
}

/// <summary>The connection broke or carried something that is not the protocol.</summary>
public sealed class ControlProtocolException : Exception
{
    public ControlProtocolException() { }
    public ControlProtocolException(string message) : base(message) { }
    public ControlProtocolException(string message, Exception inner) : base(message, inner) { }
}
