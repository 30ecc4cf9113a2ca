using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VSwitch.Daemon.Control.Protocol;

using VSwitch.Datapath.Files;

namespace VSwitch.Daemon.Control;

// The control socket: a unix stream socket carrying newline-delimited JSON, one request line in,
// one response line out, in order, any number per connection.
//
// The shape is Kestrel's socket transport: an accept loop hands each connection to its own task,
// which reads through a PipeReader over the connection's NetworkStream, splits lines out of the
// buffered bytes without copying them, and writes each response whole. What keeps a bad client
// from costing anyone else anything:
//   - every client has its own task and nothing is shared between them but the command
//     registry; the datapath is reached only through ForwardingLoop.Invoke, which queues work
//     for the loop and never makes it wait;
//   - a line is bounded (1 MiB by default): past the bound without a newline, the client gets
//     an error and is closed, so it cannot make the daemon buffer without end;
//   - a response that the client does not read within the write time-out, and a connection
//     silent past the idle time-out, close that connection only;
//   - the number of clients is bounded; one too many is told so and closed;
//   - garbage (not JSON, not an object, unknown members or command, bad arguments) gets an
//     error response and the connection carries on; errors are values, never exceptions that
//     reach the accept loop.
// Shutdown is one call: stop accepting, cancel every client, wait for them, remove the socket.

/// <summary>Serves control requests on a unix socket.</summary>
public sealed class ControlServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly ControlHandler _dispatch;
    private readonly ControlServerOptions _options;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Task> _clients = new();
    private readonly Task _acceptLoop;
    private long _nextClient;
    private int _active;
    private int _disposed;

    private long _accepted, _rejected, _requests, _errors, _linesTooLong, _timeouts;
    private long _lastRejectLog;

    private ControlServer(string path, Socket listener, ControlHandler dispatch,
        ControlServerOptions options, ILogger log)
    {
        Path = path;
        _listener = listener;
        _dispatch = dispatch;
        _options = options;
        _log = log;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Connections the kernel queues before the accept loop takes them.</summary>
    /// <remarks>Large on purpose: past the queue the kernel refuses a connect with EAGAIN, which a
    /// client reports as "cannot reach vswitchd". With room for a burst of a thousand (a script
    /// starting vswitchctl in parallel, or an abuser), every client is accepted and then either
    /// served or told "too many control clients" by <see cref="ControlServerOptions.MaxClients"/>.
    /// A queued connection costs the kernel a few hundred bytes; Linux caps the value at
    /// net.core.somaxconn (4096 by default).</remarks>
    public const int Backlog = 1024;

    /// <summary>The socket's path.</summary>
    public string Path { get; }

    /// <summary>
    /// Creates the socket's directory if needed, removes a stale socket left by a daemon that did
    /// not stop cleanly, binds, sets the socket's mode and starts accepting.
    /// </summary>
    /// <param name="dispatch">Runs one request (command name, arguments) and returns its outcome.</param>
    /// <exception cref="IOException">Another daemon is listening on <paramref name="path"/>, or the socket cannot be created.</exception>
    public static ControlServer Start(string path, ControlHandler dispatch,
        ControlServerOptions options, ILogger log)
    {
        string full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        if (File.Exists(full))
        {
            if (IsListening(full)) throw new IOException($"{full}: another vswitchd is listening on this socket");
            File.Delete(full);
            ControlLog.StaleSocketRemoved(log, full);
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(full));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(full, options.SocketMode);
            listener.Listen(Backlog);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"{full}: cannot create the control socket: {e.Message}", e);
        }
        ControlLog.Listening(log, full);
        return new ControlServer(full, listener, dispatch, options, log);
    }

    /// <summary>The server's counters as <c>control/...</c> paths.</summary>
    public void AppendCounters(List<KeyValuePair<string, long>> into)
    {
        into.Add(new("control/clients-accepted", Interlocked.Read(ref _accepted)));
        into.Add(new("control/clients-rejected", Interlocked.Read(ref _rejected)));
        into.Add(new("control/clients-active", Volatile.Read(ref _active)));
        into.Add(new("control/requests", Interlocked.Read(ref _requests)));
        into.Add(new("control/errors", Interlocked.Read(ref _errors)));
        into.Add(new("control/lines-too-long", Interlocked.Read(ref _linesTooLong)));
        into.Add(new("control/timeouts", Interlocked.Read(ref _timeouts)));
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                // Out of descriptors, say: back off a little rather than spin on the error.
                ControlLog.AcceptFailed(_log, e);
                try
                {
                    await Task.Delay(100, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            long id = Interlocked.Increment(ref _nextClient);
            bool rejected = Interlocked.Increment(ref _active) > _options.MaxClients;
            if (rejected) Interlocked.Increment(ref _rejected);
            else Interlocked.Increment(ref _accepted);
            Task task = rejected ? RejectAsync(client) : ServeAsync(client);
            _clients[id] = task;
            _ = task.ContinueWith(_ =>
            {
                _clients.TryRemove(id, out Task? _);
                Interlocked.Decrement(ref _active);
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RejectAsync(Socket socket)
    {
        // Any local user can open connections, so the warning is rate-limited to one a minute.
        long now = Environment.TickCount64, last = Interlocked.Read(ref _lastRejectLog);
        if ((last == 0 || now - last >= 60_000) && Interlocked.CompareExchange(ref _lastRejectLog, now, last) == last)
            ControlLog.ClientRejected(_log, _options.MaxClients);
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        await TryWriteAsync(stream, ErrorLine($"too many control clients (at most {_options.MaxClients}); try again")).ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                ReadResult read;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    idle.CancelAfter(_options.IdleTimeout);
                    read = await reader.ReadAsync(idle.Token).ConfigureAwait(false);
                }
                ReadOnlySequence<byte> buffer = read.Buffer;
                bool close = false;
                while (!close && LineFraming.TryReadLine(ref buffer, out ReadOnlySequence<byte> line))
                {
                    if (line.Length > _options.MaxLineBytes)
                    {
                        close = true;
                        await TooLongAsync(stream).ConfigureAwait(false);
                        break;
                    }
                    if (line.Length == 0) continue;
                    (byte[] response, StreamHandler? then) = await HandleAsync(line).ConfigureAwait(false);
                    close = !await TryWriteAsync(stream, response).ConfigureAwait(false);
                    if (!close && then is not null)
                    {
                        // A streaming command owns the connection from here to its close.
                        reader.AdvanceTo(buffer.Start);
                        await then(stream, reader, _stop.Token).ConfigureAwait(false);
                        return;
                    }
                }
                if (!close && buffer.Length > _options.MaxLineBytes)
                {
                    close = true;
                    await TooLongAsync(stream).ConfigureAwait(false);
                }
                if (!close && read.IsCompleted && buffer.Length > 0)
                {
                    // The peer closed its side after a last request without a newline: answer it.
                    // (A streaming command asked for so has nobody left to stream to.)
                    await TryWriteAsync(stream, (await HandleAsync(buffer).ConfigureAwait(false)).Line).ConfigureAwait(false);
                    buffer = buffer.Slice(buffer.End);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (close || read.IsCompleted) break;
            }
        }
        catch (OperationCanceledException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _timeouts);
                ControlLog.ClientTimedOut(_log);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The peer went away: that costs it its connection and nothing else.
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task TooLongAsync(Stream stream)
    {
        Interlocked.Increment(ref _linesTooLong);
        Interlocked.Increment(ref _errors);
        ControlLog.LineTooLong(_log, _options.MaxLineBytes);
        await TryWriteAsync(stream, ErrorLine($"request line longer than {_options.MaxLineBytes} bytes; closing")).ConfigureAwait(false);
    }

    // Parses one request line, runs it, and returns the whole response line (and, for a streaming
    // command, what carries on after it). Never throws.
    private async Task<(byte[] Line, StreamHandler? Then)> HandleAsync(ReadOnlySequence<byte> line)
    {
        Interlocked.Increment(ref _requests);
        ControlRequest? request;
        try
        {
            var json = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 16 });
            request = JsonSerializer.Deserialize(ref json, ProtocolJsonContext.Default.ControlRequest);
            if (json.Read()) return (BadRequest("more than one JSON value on the line"), null);
        }
        catch (JsonException e)
        {
            return (BadRequest("not a JSON request object: " + e.Message), null);
        }
        if (request?.Command is not string command || command.Length == 0)
            return (BadRequest("a request is {\"command\":\"NAME\",\"args\":{...}}; 'command' is missing"), null);

        // The command's name is the client's text: quoted (clipped, control characters escaped)
        // wherever it is repeated, so a client cannot forge log lines or flood them.
        string shown = UntrustedText.Quote(command);
        CommandOutcome outcome;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(_options.CommandTimeout);
        try
        {
            outcome = await _dispatch(command, request.Args, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            outcome = CommandOutcome.Fail(_stop.IsCancellationRequested
                ? "vswitchd is stopping"
                : $"{shown} did not finish within {_options.CommandTimeout.TotalSeconds:0} s");
        }
        catch (TimeoutException e)
        {
            outcome = CommandOutcome.Fail(e.Message);
        }
        catch (Exception e)
        {
            // A bug in a command: answer, log, and keep serving; the control plane never takes
            // the daemon down.
            ControlLog.CommandFailed(_log, shown, e);
            outcome = CommandOutcome.Fail($"internal error in {shown}: {e.Message}");
        }
        if (outcome.Error is not null) Interlocked.Increment(ref _errors);
        ControlLog.CommandDone(_log, shown, outcome.Error is null ? "ok" : UntrustedText.Quote(outcome.Error, 200));
        return (Serialize(outcome), outcome.Then);
    }

    private byte[] BadRequest(string reason)
    {
        Interlocked.Increment(ref _errors);
        ControlLog.BadRequest(_log, reason);
        return ErrorLine(reason);
    }

    private static byte[] ErrorLine(string error) => Serialize(CommandOutcome.Fail(error));

    /// <summary>Writes <c>{"ok":...}</c> and a newline.</summary>
    internal static byte[] Serialize(CommandOutcome outcome)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", outcome.Error is null);
            if (outcome.Error is null)
            {
                w.WritePropertyName("result");
                outcome.WriteResult!(w);
            }
            else
            {
                w.WriteString("error", outcome.Error);
                if (outcome.Details.Count > 0)
                {
                    w.WriteStartArray("errors");
                    foreach (string d in outcome.Details) w.WriteStringValue(d);
                    w.WriteEndArray();
                }
            }
            w.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    // Writes a whole response, giving up (and closing) when the client does not take it in time.
    private async Task<bool> TryWriteAsync(Stream stream, byte[] bytes)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(_options.WriteTimeout);
        try
        {
            await stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _timeouts);
                ControlLog.ClientTimedOut(_log);
            }
            return false;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static bool IsListening(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }


    /// <summary>Stops accepting, closes every client, waits for them (briefly) and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
            await Task.WhenAll(_clients.Values).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // XXX: a client stuck past its cancellation; the process is stopping, so it is left.
        }
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A socket file we cannot remove is found stale and replaced at the next start.
        }
        _stop.Dispose();
    }
}
