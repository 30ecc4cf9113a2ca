using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Tenancy;
using VSwitch.Datapath.Counters;

namespace VSwitch.Daemon.Dns;

/// <summary>
/// The slow path behind one tenant's DNS address: UDP and TCP port 53 on kernel sockets inside
/// the tenant's service namespace, answered from the tenant's tables or by its upstream servers.
/// </summary>
/// <remarks>
/// <para>The datapath answers UDP queries for table names itself; what reaches this server is the
/// rest: over UDP, the queries the tables do not answer (and any the peephole left because of its
/// reply rate); over TCP, everything, above all the retry of a client that got TC=1. A query the
/// tables answer gets the same answer as from the datapath, whole over TCP (up to 65,535 bytes).
/// Anything else goes to the tenant's upstreams (<see cref="UpstreamForwarder"/>), over the
/// transport it came by, and their answer goes back as it came; SERVFAIL when none answers.
/// Without upstreams it gets REFUSED at once: never silence, which a stub resolver waits out
/// (glibc 5 s per try).</para>
/// <para>Forwarding is bounded: at most <see cref="MaxOutstanding"/> queries wait on upstreams at
/// once, and one client may start at most <see cref="ClientForwardsPerSecond"/> a second; a
/// query over either bound gets REFUSED at once, counted.</para>
/// <para>TCP follows RFC 7766: queries on one connection are answered in order as they come
/// (pipelining), a connection idle for <see cref="IdleTimeout"/> is closed, and one client
/// address may hold at most <see cref="MaxConnectionsPerClient"/> connections
/// (<see cref="MaxConnections"/> in all); a connection over the cap is closed at once.</para>
/// </remarks>
internal sealed class DnsAddressServer : IAsyncDisposable
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);
    public const int MaxConnectionsPerClient = 16, MaxConnections = 512, MaxOutstanding = 256, ClientForwardsPerSecond = 200;

    private readonly Tenant _tenant;
    private readonly ILogger _log;
    private readonly List<Socket> _sockets;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    private readonly ConcurrentDictionary<IPAddress, (long Second, int Count)> _forwardsThisSecond = new();
    private readonly UpstreamForwarder _upstreams;
    private int _connections, _outstanding;

    private DnsAddressServer(Tenant tenant, List<Socket> sockets, UpstreamForwarder upstreams, ILogger log)
    {
        _tenant = tenant;
        _sockets = sockets;
        _upstreams = upstreams;
        _log = log;
    }

    public DnsServiceCounters Counters { get; } = new();

    /// <summary>Binds UDP and TCP port 53 on each address inside <paramref name="ns"/> and starts serving.</summary>
    public static DnsAddressServer Start(ServiceNamespace ns, IReadOnlyList<IPAddress> addresses, IReadOnlyList<IPEndPoint> upstreams,
        Tenant tenant, ILogger log)
    {
        List<Socket> sockets = ns.Inside(() =>
        {
            var made = new List<Socket>();
            try
            {
                foreach (IPAddress address in addresses)
                {
                    var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                    made.Add(udp);
                    udp.Bind(new IPEndPoint(address, 53));
                    var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    made.Add(tcp);
                    tcp.Bind(new IPEndPoint(address, 53));
                    tcp.Listen(128);
                }
                return made;
            }
            catch
            {
                foreach (Socket s in made) s.Dispose();
                throw;
            }
        });
        var server = new DnsAddressServer(tenant, sockets, new UpstreamForwarder(upstreams), log);
        foreach (Socket s in sockets)
            server._loops.Add(s.SocketType == SocketType.Dgram ? Task.Run(() => server.ServeUdpAsync(s)) : Task.Run(() => server.AcceptAsync(s)));
        return server;
    }

    private async Task ServeUdpAsync(Socket socket)
    {
        var query = new byte[4096];
        var reply = new byte[4096];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(query, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;   // an ICMP error for an earlier reply, say: the socket itself is fine
            }
            Interlocked.Increment(ref Counters.UdpQueries);
            var client = (IPEndPoint)received.RemoteEndPoint;
            int length = Respond(query.AsSpan(0, received.ReceivedBytes), reply, 4096, udp: true, client.Address, out bool forward);
            // A query for the upstreams is answered later, by a task of its own: one slow upstream must not hold the others up.
            if (forward) _ = ForwardUdpAsync(socket, query.AsSpan(0, received.ReceivedBytes).ToArray(), client);
            else if (length > 0) await SendAsync(socket, reply.AsMemory(0, length), client).ConfigureAwait(false);
        }
    }

    private async Task ForwardUdpAsync(Socket socket, byte[] query, IPEndPoint client)
    {
        var reply = new byte[4096];
        try
        {
            int length = await ForwardAsync(query, reply, tcp: false).ConfigureAwait(false);
            if (length > 0) await SendAsync(socket, reply.AsMemory(0, length), client).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _outstanding);
        }
    }

    private async Task SendAsync(Socket socket, ReadOnlyMemory<byte> reply, IPEndPoint client)
    {
        try
        {
            await socket.SendToAsync(reply, SocketFlags.None, client, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Interlocked.Increment(ref Counters.SendFailures);
        }
    }

    // The upstreams' answer, or SERVFAIL when none answered; the reply's length.
    private async Task<int> ForwardAsync(byte[] query, byte[] reply, bool tcp)
    {
        Interlocked.Increment(ref Counters.Forwarded);
        int length;
        try
        {
            length = await _upstreams.ForwardAsync(query, reply, tcp, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        if (length > 0)
        {
            Interlocked.Increment(ref Counters.UpstreamAnswered);
            return length;
        }
        Interlocked.Increment(ref Counters.UpstreamFailed);
        return DnsMessageResponder.Error(query, reply, DnsMessageResponder.ServFail);
    }

    // One reply to one query: from the tables when they answer it; else, with upstreams and within
    // the bounds, forward (the caller forwards, holding one of the outstanding places); else
    // REFUSED. 0 and no forward when the message is not a query to reply to (counted as malformed).
    private int Respond(ReadOnlySpan<byte> query, Span<byte> reply, int limit, bool udp, IPAddress client, out bool forward)
    {
        forward = false;
        DnsOutcome outcome = DnsMessageResponder.Answer(query, reply, _tenant.Tables, limit, udp, out int length);
        if (length > 0)
        {
            Interlocked.Increment(ref outcome == DnsOutcome.Truncated ? ref Counters.Truncated : ref Counters.Answered);
            return length;
        }
        length = DnsMessageResponder.Error(query, reply, DnsMessageResponder.Refused);
        if (length == 0)
        {
            Interlocked.Increment(ref Counters.Malformed);
            return 0;
        }
        if (!_upstreams.HasUpstreams)
        {
            Interlocked.Increment(ref Counters.Refused);
        }
        else if (!TakeForwardPlace(client))
        {
            Interlocked.Increment(ref Counters.Overloaded);
        }
        else
        {
            forward = true;
        }
        return length;
    }

    // Within the bounds: one of the outstanding places (given back by the caller) and the client's rate.
    private bool TakeForwardPlace(IPAddress client)
    {
        long second = Environment.TickCount64 / 1000;
        (long Second, int Count) now = _forwardsThisSecond.AddOrUpdate(client, (second, 1),
            (_, old) => old.Second == second ? (second, old.Count + 1) : (second, 1));
        if (_forwardsThisSecond.Count > 4096) _forwardsThisSecond.Clear();
        if (now.Count > ClientForwardsPerSecond) return false;
        if (Interlocked.Increment(ref _outstanding) <= MaxOutstanding) return true;
        Interlocked.Decrement(ref _outstanding);
        return false;
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            IPAddress peer = ((IPEndPoint)client.RemoteEndPoint!).Address;
            int mine = _perClient.AddOrUpdate(peer, 1, (_, n) => n + 1);
            if (mine > MaxConnectionsPerClient || Interlocked.Increment(ref _connections) > MaxConnections)
            {
                if (mine <= MaxConnectionsPerClient) Interlocked.Decrement(ref _connections);
                Release(peer);
                Interlocked.Increment(ref Counters.TcpRefusedConnections);
                client.Dispose();
                continue;
            }
            Interlocked.Increment(ref Counters.TcpConnections);
            _ = ServeTcpAsync(client, peer);
        }
    }

    private async Task ServeTcpAsync(Socket client, IPAddress peer)
    {
        var header = new byte[2];
        var query = new byte[65535];
        var reply = new byte[2 + 65535];
        try
        {
            using (client)
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    idle.CancelAfter(IdleTimeout);
                    if (!await UpstreamForwarder.ReadExactlyAsync(client, header, idle.Token).ConfigureAwait(false)) return;
                    int length = BinaryPrimitives.ReadUInt16BigEndian(header);
                    if (length == 0 || !await UpstreamForwarder.ReadExactlyAsync(client, query.AsMemory(0, length), idle.Token).ConfigureAwait(false)) return;
                    Interlocked.Increment(ref Counters.TcpQueries);
                    int answer = Respond(query.AsSpan(0, length), reply.AsSpan(2), 65535, udp: false, peer, out bool forward);
                    if (forward)
                    {
                        try
                        {
                            var upstreamReply = new byte[65535];
                            answer = await ForwardAsync(query.AsSpan(0, length).ToArray(), upstreamReply, tcp: true).ConfigureAwait(false);
                            upstreamReply.AsSpan(0, answer).CopyTo(reply.AsSpan(2));
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _outstanding);
                        }
                    }
                    if (answer == 0) return;
                    BinaryPrimitives.WriteUInt16BigEndian(reply, (ushort)answer);
                    await client.SendAsync(reply.AsMemory(0, 2 + answer), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref Counters.TcpIdleClosed);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client went away.
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
            Release(peer);
        }
    }

    private void Release(IPAddress peer)
    {
        int left = _perClient.AddOrUpdate(peer, 0, (_, n) => n - 1);
        if (left <= 0) _perClient.TryRemove(new KeyValuePair<IPAddress, int>(peer, left));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Socket s in _sockets) s.Dispose();
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping.
        }
        _stop.Dispose();
        DnsServiceLog.Stopped(_log, _tenant.Name);
    }
}
