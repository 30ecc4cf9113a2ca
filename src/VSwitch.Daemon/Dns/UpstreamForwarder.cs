using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace VSwitch.Daemon.Dns;

/// <summary>
/// Sends a query the tables do not answer to the tenant's upstream servers and returns the first
/// answer, byte for byte: the client's ID, the question's case and the records' TTLs as the
/// upstream sent them (nothing is cached, so nothing ages).
/// </summary>
/// <remarks>
/// <para>Sockets are the daemon's own, in the daemon's namespace, so upstreams are reached the
/// way the host reaches them (its routes, its resolvers). Each query gets a fresh connected
/// socket: a new random source port per query, no ID rewriting, and an ICMP port unreachable
/// from a stopped upstream fails the query at once instead of after the time-out.</para>
/// <para>Upstreams are tried in order, each for at most <see cref="TryTimeout"/>; when all fail the
/// caller answers SERVFAIL. A query over UDP goes over UDP (an upstream's TC=1 answer is passed
/// on as it is, and the client retries over TCP to the DNS address); over TCP, over TCP.</para>
/// </remarks>
internal sealed class UpstreamForwarder(IReadOnlyList<IPEndPoint> upstreams)
{
    /// <summary>How long one upstream gets to answer before the next is tried.</summary>
    public static readonly TimeSpan TryTimeout = TimeSpan.FromMilliseconds(700);

    public bool HasUpstreams => upstreams.Count > 0;

    /// <summary>The upstream's answer to <paramref name="query"/> in <paramref name="reply"/>; its length, or 0 when none answered.</summary>
    public async Task<int> ForwardAsync(ReadOnlyMemory<byte> query, Memory<byte> reply, bool tcp, CancellationToken cancel)
    {
        foreach (IPEndPoint upstream in upstreams)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TryTimeout);
            try
            {
                int length = tcp
                    ? await OverTcpAsync(upstream, query, reply, timeout.Token).ConfigureAwait(false)
                    : await OverUdpAsync(upstream, query, reply, timeout.Token).ConfigureAwait(false);
                if (length > 0) return length;
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                // This upstream took too long: the next one.
            }
            catch (SocketException)
            {
                // Refused or unreachable: the next one.
            }
        }
        return 0;
    }

    private static async Task<int> OverUdpAsync(IPEndPoint upstream, ReadOnlyMemory<byte> query, Memory<byte> reply, CancellationToken cancel)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(upstream, cancel).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancel).ConfigureAwait(false);
        while (true)
        {
            int n = await socket.ReceiveAsync(reply, SocketFlags.None, cancel).ConfigureAwait(false);
            // Only an answer to this query, with its ID, counts; anything else is waited past.
            if (n >= 12 && reply.Span[..2].SequenceEqual(query.Span[..2]) && (reply.Span[2] & 0x80) != 0) return n;
        }
    }

    private static async Task<int> OverTcpAsync(IPEndPoint upstream, ReadOnlyMemory<byte> query, Memory<byte> reply, CancellationToken cancel)
    {
        using var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(upstream, cancel).ConfigureAwait(false);
        var framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed.AsMemory(2));
        await socket.SendAsync(framed, SocketFlags.None, cancel).ConfigureAwait(false);
        var header = new byte[2];
        if (!await ReadExactlyAsync(socket, header, cancel).ConfigureAwait(false)) return 0;
        int length = BinaryPrimitives.ReadUInt16BigEndian(header);
        if (length < 12 || length > reply.Length || !await ReadExactlyAsync(socket, reply[..length], cancel).ConfigureAwait(false)) return 0;
        return length;
    }

    /// <summary>Reads exactly <paramref name="buffer"/>'s length; false when the peer closed first.</summary>
    internal static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancel)
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
}
