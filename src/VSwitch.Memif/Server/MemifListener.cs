using System.Diagnostics;
using VSwitch.Memif.Control;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Session;
using VSwitch.Linux;

namespace VSwitch.Memif.Server;

/// <summary>A listening memif control socket, shared by every interface id served on it.</summary>
/// <remarks>
/// <para>One socket may serve several ids: a client names the id in INIT. The listener accepts,
/// sends HELLO, reads INIT, judges version, mode, id and secret, and hands an accepted connection
/// to the endpoint for that id, which runs the rest of the handshake on its own thread. Listeners
/// are shared per socket name within the process (<see cref="Register"/>) and closed, the socket
/// file removed, when the last endpoint leaves.</para>
/// <para>Nothing here blocks: <see cref="Service"/> does the work that is ready and returns. It is
/// called by the endpoints' threads (each memif port calls it when its poll set says the
/// listener is readable, and every so often while busy); a thread that finds another one already
/// servicing skips, so a forwarding loop never waits on a lock. A client that connects and says
/// nothing is dropped after <see cref="InitTimeout"/>, and at most <see cref="MaxPending"/>
/// connections wait for INIT at once: a flood of idle connections costs the flooder.</para>
/// </remarks>
public sealed unsafe class MemifListener
{
    public static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(5);
    public const int MaxPending = 16;

    private static readonly Dictionary<string, MemifListener> Open = [];
    private static readonly Lock OpenLock = new();

    private readonly Lock _lock = new();
    private readonly Dictionary<uint, IMemifEndpoint> _endpoints = [];
    private readonly List<(ControlChannel Channel, long Deadline)> _pending = [];
    private readonly byte[] _message = new byte[MemifConstants.MessageSize];
    private int _listenFd;
    private int _epollFd;

    private MemifListener(string path, int listenFd, int epollFd)
    {
        Path = path;
        _listenFd = listenFd;
        _epollFd = epollFd;
    }

    /// <summary>The socket's name: a path, or <c>@name</c> for an abstract socket.</summary>
    public string Path { get; }

    /// <summary>An epoll descriptor that is readable when the listener has work (a connection, a message).</summary>
    public int PollFd => _epollFd;

    /// <summary>The name sent in HELLO.</summary>
    public static string ServerName { get; set; } = "vswitch";

    /// <summary>Connections refused at INIT, over the listener's life.</summary>
    public long Refused { get; private set; }

    /// <summary>Serves <paramref name="endpoint"/>'s id on the socket <paramref name="path"/>, opening it if no endpoint does yet.</summary>
    /// <exception cref="IOException">The id is served already, or the socket cannot be made.</exception>
    public static MemifListener Register(string path, IMemifEndpoint endpoint)
    {
        lock (OpenLock)
        {
            if (!Open.TryGetValue(path, out MemifListener? listener))
            {
                listener = Create(path);
                Open[path] = listener;
            }
            lock (listener._lock)
            {
                if (!listener._endpoints.TryAdd(endpoint.Id, endpoint))
                    throw new IOException($"memif id {endpoint.Id} is served on {path} already");
            }
            return listener;
        }
    }

    /// <summary>Stops serving the endpoint's id; the last one closes the socket.</summary>
    public void Unregister(IMemifEndpoint endpoint)
    {
        lock (OpenLock)
        {
            lock (_lock)
            {
                if (_endpoints.TryGetValue(endpoint.Id, out IMemifEndpoint? e) && ReferenceEquals(e, endpoint)) _endpoints.Remove(endpoint.Id);
                if (_endpoints.Count > 0) return;
                Open.Remove(Path);
                foreach (var (channel, _) in _pending) channel.Dispose();
                _pending.Clear();
                LibC.Close(_listenFd);
                LibC.Close(_epollFd);
                _listenFd = _epollFd = -1;
                if (!Path.StartsWith('@')) File.Delete(Path);
            }
        }
    }

    private static MemifListener Create(string path)
    {
        SockAddrUn address;
        int length = LibC.SocketAddress(path, &address);
        if (length < 0) throw new IOException($"memif socket name '{path}' is empty or longer than 107 bytes");
        if (!path.StartsWith('@') && File.Exists(path))
        {
            // A socket left by a previous run would make bind fail; anything else is not ours to delete.
            if (!IsSocket(path)) throw new IOException($"{path} exists and is not a socket");
            File.Delete(path);
        }
        int fd = LibC.Socket(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new IOException("socket: " + LibC.ErrorText(LibC.LastError));
        if (LibC.Bind(fd, &address, length) != 0 || LibC.Listen(fd, 16) != 0)
        {
            int errno = LibC.LastError;
            LibC.Close(fd);
            throw new IOException($"cannot listen on {path}: {LibC.ErrorText(errno)}");
        }
        int epoll = LibC.EpollCreate1(LibC.EPOLL_CLOEXEC);
        if (epoll < 0 || LibC.EpollCtl(epoll, LibC.EPOLL_CTL_ADD, fd) != 0)
        {
            int errno = LibC.LastError;
            LibC.Close(fd);
            if (epoll >= 0) LibC.Close(epoll);
            throw new IOException("epoll: " + LibC.ErrorText(errno));
        }
        return new MemifListener(path, fd, epoll);
    }

    private static bool IsSocket(string path)
    {
        try
        {
            // .NET has no S_ISSOCK; open(2) of a socket fails (ENXIO), of a regular file it succeeds.
            if (Directory.Exists(path)) return false;
            using FileStream stream = File.OpenRead(path);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Accepts new connections and reads pending INITs; returns at once if another thread is at it.</summary>
    public void Service()
    {
        if (!_lock.TryEnter()) return;
        try
        {
            if (_listenFd < 0) return;
            Accept();
            long now = Stopwatch.GetTimestamp();
            for (int i = _pending.Count - 1; i >= 0; i--)
            {
                var (channel, deadline) = _pending[i];
                bool done = ReadInit(channel, out bool keep);
                if (!done && now < deadline) continue;
                _pending.RemoveAt(i);
                LibC.EpollCtl(_epollFd, LibC.EPOLL_CTL_DEL, channel.Fd);
                if (!keep) channel.Dispose();
            }
        }
        finally
        {
            _lock.Exit();
        }
    }

    private void Accept()
    {
        Span<byte> hello = stackalloc byte[MemifConstants.MessageSize];
        while (true)
        {
            int fd = LibC.Accept4(_listenFd, null, null, LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC);
            if (fd < 0) return;
            var channel = new ControlChannel(fd);
            if (_pending.Count >= MaxPending)
            {
                Refused++;
                channel.Dispose();
                continue;
            }
            MemifMessageWriter.Hello(hello, ServerName, Shared.RegionTable.MaxRegions - 1, 0, 0, MemifConstants.MaxLog2RingSize);
            if (!channel.Send(hello))
            {
                channel.Dispose();
                continue;
            }
            LibC.EpollCtl(_epollFd, LibC.EPOLL_CTL_ADD, fd);
            _pending.Add((channel, Stopwatch.GetTimestamp() + (long)(InitTimeout.TotalSeconds * Stopwatch.Frequency)));
        }
    }

    // True when the connection's fate is decided (keep: handed to an endpoint).
    private bool ReadInit(ControlChannel channel, out bool keep)
    {
        keep = false;
        ReceiveStatus status = channel.TryReceive(_message, out int fd);
        if (fd >= 0) LibC.Close(fd);  // INIT carries no descriptor
        if (status == ReceiveStatus.WouldBlock) return false;
        if (status != ReceiveStatus.Message) return true;
        if (!MemifMessage.TryRead(_message, out MemifMessage m) || m.Type != MemifMessageType.Init)
            return Refuse(channel, null, "expected INIT");
        if (!_endpoints.TryGetValue(m.InitId, out IMemifEndpoint? endpoint)) return Refuse(channel, null, "ID not found");
        if (endpoint.IsBusy) return Refuse(channel, endpoint, "Already connected");
        string? error = MemifValidation.CheckInit(m, endpoint.Secret);
        if (error is not null) return Refuse(channel, endpoint, error);
        string peerName = m.InitName;
        Span<byte> ack = stackalloc byte[MemifConstants.MessageSize];
        MemifMessageWriter.Ack(ack);
        if (!channel.Send(ack)) return true;
        endpoint.Offer(channel, peerName);
        keep = true;
        return true;
    }

    private bool Refuse(ControlChannel channel, IMemifEndpoint? endpoint, string reason)
    {
        Refused++;
        endpoint?.Refused(reason);
        channel.SendDisconnect(reason);
        return true;
    }
}
