using System.Diagnostics;
using VSwitch.Memif.Control;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Server;
using VSwitch.Memif.Session;
using VSwitch.Linux;

namespace VSwitch.Daemon.Ports.Memif;

// The link's state machine, run on the forwarding loop's thread: a server waits for the listener to
// offer a connection whose INIT it accepted, then runs the rest of the handshake; a client connects
// (again every second while there is no server) and runs its handshake. Either way a finished
// handshake becomes _connection, and anything that ends the link disposes it here, between bursts.
public sealed unsafe partial class MemifPort
{
    private const int MessagesPerService = 8;
    private static readonly long HandshakeTimeout = Stopwatch.Frequency * 5;
    private static readonly long ReconnectInterval = Stopwatch.Frequency;

    private readonly MemifListener? _listener;
    private readonly int _epollFd;
    private readonly byte[] _message = new byte[MemifConstants.MessageSize];
    private ControlChannel? _offered;
    private string _offeredPeer = "";
    private ServerHandshake? _serverHandshake;
    private ClientHandshake? _clientHandshake;
    private ControlChannel? _handshakeChannel;
    private long _handshakeDeadline;
    private long _nextConnectAttempt;
    private bool _disposed;

    private long _connects, _disconnects, _refused, _txRingFull;
    private string? _lastError;
    private string _lastPeer = "";

    uint IMemifEndpoint.Id => _options.Id;

    string? IMemifEndpoint.Secret => _options.Secret;

    // Read by the listener from whichever loop thread services it.
    bool IMemifEndpoint.IsBusy => Volatile.Read(ref _busy);
    private bool _busy;

    void IMemifEndpoint.Offer(ControlChannel channel, string peerName)
    {
        Volatile.Write(ref _busy, true);
        _offeredPeer = peerName;
        Volatile.Write(ref _offered, channel);
    }

    void IMemifEndpoint.Refused(string reason)
    {
        Interlocked.Increment(ref _refused);
        _lastError = "refused a client: " + reason;
    }

    /// <summary>Does the control work that is ready; never blocks.</summary>
    private void ServiceControl()
    {
        if (_disposed) return;
        if (_listener is not null)
        {
            _listener.Service();
            if (Interlocked.Exchange(ref _offered, null) is ControlChannel offered)
            {
                _serverHandshake = new ServerHandshake(offered, MemifListener.ServerName, _offeredPeer);
                StartHandshake(offered);
            }
        }
        else
        {
            ServiceClient();
        }
        if (_handshakeChannel is not null) ServiceHandshake();
        if (_connection is not null) ServiceConnection();
    }

    private void ServiceClient()
    {
        if (_connection is not null || _clientHandshake is not null) return;
        long now = Stopwatch.GetTimestamp();
        if (now < _nextConnectAttempt) return;
        _nextConnectAttempt = now + ReconnectInterval;
        ControlChannel? channel = ControlChannel.TryConnect(_options.SocketPath, out string? error);
        if (channel is null)
        {
            _lastError = error;
            return;
        }
        _clientHandshake = new ClientHandshake(channel, _options.Id, Name, _options.Secret, _options.Log2RingSize, _options.BufferSize);
        StartHandshake(channel);
    }

    private void StartHandshake(ControlChannel channel)
    {
        _handshakeChannel = channel;
        _handshakeDeadline = Stopwatch.GetTimestamp() + HandshakeTimeout;
        LibC.EpollCtl(_epollFd, LibC.EPOLL_CTL_ADD, channel.Fd);
    }

    private void ServiceHandshake()
    {
        ControlChannel channel = _handshakeChannel!;
        for (int i = 0; i < MessagesPerService; i++)
        {
            ReceiveStatus status = channel.TryReceive(_message, out int fd);
            if (status == ReceiveStatus.WouldBlock)
            {
                if (Stopwatch.GetTimestamp() > _handshakeDeadline) EndHandshake(null, "handshake timed out");
                return;
            }
            if (status != ReceiveStatus.Message || !MemifMessage.TryRead(_message, out MemifMessage m))
            {
                if (fd >= 0) LibC.Close(fd);
                EndHandshake(null, status == ReceiveStatus.Closed ? "peer closed the connection during the handshake" : "malformed message");
                return;
            }
            HandshakeStatus result = _serverHandshake is not null ? _serverHandshake.Handle(m, fd) : _clientHandshake!.Handle(m, fd);
            if (result == HandshakeStatus.InProgress) continue;
            MemifConnection? connection = _serverHandshake?.Connection ?? _clientHandshake?.Connection;
            EndHandshake(connection, _serverHandshake?.Error ?? _clientHandshake?.Error);
            return;
        }
    }

    private void EndHandshake(MemifConnection? connection, string? error)
    {
        LibC.EpollCtl(_epollFd, LibC.EPOLL_CTL_DEL, _handshakeChannel!.Fd);
        if (connection is null)
        {
            _refused++;
            _lastError = error;
            _serverHandshake?.Dispose();
            _clientHandshake?.Dispose();
            Volatile.Write(ref _busy, false);
        }
        _serverHandshake = null;
        _clientHandshake = null;
        _handshakeChannel = null;
        if (connection is null) return;
        LibC.EpollCtl(_epollFd, LibC.EPOLL_CTL_ADD, connection.Channel.Fd);
        LibC.EpollCtl(_epollFd, LibC.EPOLL_CTL_ADD, connection.Rx.EventFd);
        _connection = connection;
        _connects++;
        _lastPeer = connection.PeerName;
        _lastError = null;
    }

    private void ServiceConnection()
    {
        // Once connected, any message ends the link: the only one memif 2.0 sends then is DISCONNECT.
        MemifConnection c = _connection!;
        ReceiveStatus status = c.Channel.TryReceive(_message, out int fd);
        if (fd >= 0) LibC.Close(fd);
        if (status == ReceiveStatus.WouldBlock) return;
        MemifMessageType type = MemifMessageType.None;
        string text = "";
        if (status == ReceiveStatus.Message && MemifMessage.TryRead(_message, out MemifMessage m))
        {
            type = m.Type;
            if (type == MemifMessageType.Disconnect) text = m.DisconnectText;
        }
        string reason = type switch
        {
            MemifMessageType.Disconnect => "peer disconnected: " + text,
            MemifMessageType.None => status == ReceiveStatus.Closed ? "peer closed the connection" : "malformed message",
            _ => $"unexpected {type} while connected",
        };
        Drop(reason, tellPeer: type is not (MemifMessageType.Disconnect or MemifMessageType.None));
    }

    // Ends the link on the loop's thread, between bursts: nothing reads the rings while they are unmapped.
    private void Drop(string reason, bool tellPeer)
    {
        MemifConnection c = _connection!;
        _connection = null;
        LibC.EpollCtl(_epollFd, LibC.EPOLL_CTL_DEL, c.Channel.Fd);
        LibC.EpollCtl(_epollFd, LibC.EPOLL_CTL_DEL, c.Rx.EventFd);
        _badDescriptorsBefore += c.Rx.BadDescriptors + c.Tx.BadDescriptors;
        _badCountersBefore += c.Rx.BadCounters + c.Tx.BadCounters;
        if (tellPeer) c.Disconnect(reason);
        else c.Dispose();
        _disconnects++;
        _lastError = reason;
        _nextConnectAttempt = Stopwatch.GetTimestamp() + ReconnectInterval;
        Volatile.Write(ref _busy, false);
    }

    private long _badDescriptorsBefore, _badCountersBefore;

    /// <summary>The link as <c>vswitchctl ports</c> shows it; call on the loop's thread.</summary>
    public MemifPortStatus Status()
    {
        MemifConnection? c = _connection;
        string state = c is not null ? "connected"
            : _handshakeChannel is not null ? "handshake"
            : _options.Role == MemifRole.Server ? "listening" : "connecting";
        return new MemifPortStatus(
            state,
            _options.Role == MemifRole.Server ? "server" : "client",
            _options.SocketPath,
            _options.Id,
            c?.PeerName ?? "",
            c is null ? 0 : c.Rx.Size,
            c is null ? 0 : c.Tx.Size,
            _connects,
            _disconnects,
            Interlocked.Read(ref _refused),
            _badDescriptorsBefore + (c is null ? 0 : c.Rx.BadDescriptors + c.Tx.BadDescriptors),
            _badCountersBefore + (c is null ? 0 : c.Rx.BadCounters + c.Tx.BadCounters),
            _txRingFull,
            _lastError);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_connection is not null) Drop("port removed", tellPeer: true);
        if (_handshakeChannel is not null) EndHandshake(null, "port removed");
        Interlocked.Exchange(ref _offered, null)?.Dispose();
        _listener?.Unregister(this);
        LibC.Close(_epollFd);
    }
}
