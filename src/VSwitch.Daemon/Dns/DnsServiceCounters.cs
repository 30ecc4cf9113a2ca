// Counters are public fields on purpose: they are bumped with Interlocked by the server's tasks.
#pragma warning disable CA1051

namespace VSwitch.Daemon.Dns;

/// <summary>What one tenant's DNS service (the slow path behind its DNS address) did; read by <c>vswitchctl stats</c>.</summary>
internal sealed class DnsServiceCounters
{
    public long UdpQueries, TcpQueries, TcpConnections, TcpRefusedConnections, TcpIdleClosed;
    public long Answered, Truncated, Refused, Malformed, SendFailures;
    public long Forwarded, UpstreamAnswered, UpstreamFailed, Overloaded;

    /// <summary>Appends every counter under <paramref name="prefix"/> (<c>dns-service/TENANT/</c>).</summary>
    public void AppendTo(string prefix, List<KeyValuePair<string, long>> into)
    {
        into.Add(new(prefix + "udp-queries", Interlocked.Read(ref UdpQueries)));
        into.Add(new(prefix + "tcp-queries", Interlocked.Read(ref TcpQueries)));
        into.Add(new(prefix + "tcp-connections", Interlocked.Read(ref TcpConnections)));
        into.Add(new(prefix + "tcp-connections-refused", Interlocked.Read(ref TcpRefusedConnections)));
        into.Add(new(prefix + "tcp-idle-closed", Interlocked.Read(ref TcpIdleClosed)));
        into.Add(new(prefix + "answered", Interlocked.Read(ref Answered)));
        into.Add(new(prefix + "truncated", Interlocked.Read(ref Truncated)));
        into.Add(new(prefix + "refused", Interlocked.Read(ref Refused)));
        into.Add(new(prefix + "malformed", Interlocked.Read(ref Malformed)));
        into.Add(new(prefix + "send-failures", Interlocked.Read(ref SendFailures)));
        into.Add(new(prefix + "forwarded", Interlocked.Read(ref Forwarded)));
        into.Add(new(prefix + "upstream-answered", Interlocked.Read(ref UpstreamAnswered)));
        into.Add(new(prefix + "upstream-failed", Interlocked.Read(ref UpstreamFailed)));
        into.Add(new(prefix + "refused-overloaded", Interlocked.Read(ref Overloaded)));
    }
}
