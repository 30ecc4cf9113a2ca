using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Daemon.Dns;

/// <summary>
/// The slow path behind one tenant's DNS address: UDP and TCP port 53 on kernel sockets inside
/// the tenant's service namespace, answered from the tenant's tables.
/// </summary>
/// <remarks>
/// <para>The datapath answers UDP queries for table names itself; what reaches this server is the
/// rest: over UDP, the queries the tables do not answer (and any the peephole left because of its
/// reply rate); over TCP, everything, above all the retry of a client that got TC=1. A query the
/// tables answer gets the same answer as from the datapath, whole over TCP (up to 65,535 bytes).
/// Anything else gets REFUSED at once: never silence, which a stub resolver waits out (glibc
/// 5 s per try).</para>
/// <para>TCP follows RFC 7766: queries on one connection are answered in order as they come
/// (pipelining), a connection idle for <see cref="IdleTimeout"/> is closed, and one client
/// address may hold at most <see cref="MaxConnectionsPerClient"/> connections
/// (<see cref="MaxConnections"/> in all); a connection over the cap is closed at once.</para>
/// </remarks>
internal sealed class DnsAddressServer : IAsyncDisposable
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);
    public const int MaxConnectionsPerClient = 16, MaxConnections = 512;

    private readonly Tenant _tenant;
    private readonly ILogger _log;
    private readonly List<Socket> _sockets;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    private int _connections;

    private DnsAddressServer(Tenant tenant, List<Socket> sockets, ILogger log)
    {
        _tenant = tenant;
        _sockets = sockets;
        _log = log;
    }

    public DnsServiceCounters Counters { get; } = new();

    /// <summary>Binds UDP and TCP port 53 on each address inside <paramref name="ns"/> and starts serving.</summary>
    public static DnsAddressServer Start(ServiceNamespace ns, IReadOnlyList<IPAddress> addresses, Tenant tenant, ILogger log)
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
        var server = new DnsAddressServer(tenant, sockets, log);
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
            int length = Respond(query.AsSpan(0, received.ReceivedBytes), reply, 4096, udp: true);
            if (length == 0) continue;
            try
            {
                await socket.SendToAsync(reply.AsMemory(0, length), SocketFlags.None, received.RemoteEndPoint, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                Interlocked.Increment(ref Counters.SendFailures);
            }
        }
    }

    // One reply to one query: from the tables when they answer it, else REFUSED; 0 when the
    // message is not a query to reply to (counted as malformed).
    private int Respond(ReadOnlySpan<byte> query, Span<byte> reply, int limit, bool udp)
    {
        DnsOutcome outcome = DnsMessageResponder.Answer(query, reply, _tenant.Tables, limit, udp, out int length);
        if (length > 0)
        {
            Interlocked.Increment(ref outcome == DnsOutcome.Truncated ? ref Counters.Truncated : ref Counters.Answered);
            return length;
        }
        length = DnsMessageResponder.Refuse(query, reply);
        Interlocked.Increment(ref length > 0 ? ref Counters.Refused : ref Counters.Malformed);
        return length;
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
                    if (!await ReadExactlyAsync(client, header, idle.Token).ConfigureAwait(false)) return;
                    int length = BinaryPrimitives.ReadUInt16BigEndian(header);
                    if (length == 0 || !await ReadExactlyAsync(client, query.AsMemory(0, length), idle.Token).ConfigureAwait(false)) return;
                    Interlocked.Increment(ref Counters.TcpQueries);
                    int answer = Respond(query.AsSpan(0, length), reply.AsSpan(2), 65535, udp: false);
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

    // False when the peer closed the connection before the whole buffer came.
    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancel)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancel).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
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
