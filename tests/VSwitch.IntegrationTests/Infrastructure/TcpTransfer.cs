using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>Sends random bytes over TCP from one namespace to another and hashes both ends.</summary>
public static class TcpTransfer
{
    public sealed record Result(long Sent, long Received, string SentHash, string ReceivedHash, TimeSpan Elapsed);

    public static Result Run(NetNamespace from, NetNamespace to, string address, long bytes, TimeSpan timeout)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(address), 5201);
        using Socket listener = to.Inside(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(endpoint);
            s.Listen(1);
            return s;
        });
        using Socket client = from.Inside(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        client.SendTimeout = client.ReceiveTimeout = (int)timeout.TotalMilliseconds;

        var receiver = Task.Run(() =>
        {
            using Socket peer = listener.Accept();
            peer.ReceiveTimeout = (int)timeout.TotalMilliseconds;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = peer.Receive(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                total += n;
            }
            return (total, Convert.ToHexString(hash.GetHashAndReset()));
        });

        var started = System.Diagnostics.Stopwatch.StartNew();
        client.Connect(endpoint);
        using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var random = new Random(42);
        var chunk = new byte[1 << 16];
        long sent = 0;
        while (sent < bytes)
        {
            random.NextBytes(chunk);
            int n = (int)Math.Min(chunk.Length, bytes - sent);
            client.Send(chunk.AsSpan(0, n));
            sentHash.AppendData(chunk, 0, n);
            sent += n;
        }
        client.Shutdown(SocketShutdown.Send);
        if (!receiver.Wait(timeout)) throw new TimeoutException($"receiver did not finish in {timeout}");
        var (received, receivedHash) = receiver.Result;
        return new Result(sent, received, Convert.ToHexString(sentHash.GetHashAndReset()), receivedHash, started.Elapsed);
    }
}
