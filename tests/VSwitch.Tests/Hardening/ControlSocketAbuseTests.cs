using System.Net.Sockets;
using System.Text;
using VSwitch.Daemon.Control;
using VSwitch.Tests.Control;
using VSwitch.Tests.Scenarios;

namespace VSwitch.Tests.Hardening;

/// <summary>
/// Every kind of bad control client at once, against the real daemon and ControlServer in
/// process: garbage, a 10 MB line, a client that never reads, and 1,000 connections at once.
/// A client that was already connected is answered throughout, the datapath forwards
/// throughout, and once the abusers leave a new client is served.
/// </summary>
/// <remarks>Time-outs here only stop a hung test; nothing is asserted about how fast anything is.</remarks>
public class ControlSocketAbuseTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public void ControlServer_Backlog_HoldsABurstOfAThousand()
    {
        Assert.True(ControlServer.Backlog >= 1_000);
        // The kernel caps the backlog at somaxconn; below a thousand the burst test cannot hold.
        int somaxconn = int.Parse(File.ReadAllText("/proc/sys/net/core/somaxconn").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(somaxconn >= 1_000, $"net.core.somaxconn is {somaxconn}");
    }

    [Fact]
    public async Task EveryAbuseAtOnce_ConnectedClientAnsweredDatapathForwardsNewClientServedAfter()
    {
        await using TestDaemon d = await TestDaemon.StartAsync(hosts: "198.18.0.10 web\n");
        await using ControlClient steady = await d.ConnectAsync();
        var abusers = new List<Socket>();
        try
        {
            Task stuck = NeverReadsAsync(d, abusers);
            Task<string> huge = TenMegabyteLineAsync(d);
            Task<int> garbage = GarbageAsync(d);
            Task<(int Served, int Refused)> crowd = ThousandAtOnceAsync(d, abusers);

            // While they run: the steady client's requests are answered and frames cross the switch.
            int answered = 0, forwarded = 0;
            while (!(huge.IsCompleted && garbage.IsCompleted && crowd.IsCompleted) || answered < 20)
            {
                Assert.True((await steady.CallAsync("stats").WaitAsync(HangGuard)).Ok);
                answered++;
                await d.SendAsync(0, TestFrames.Udp(TestFrames.A, TestFrames.B, "frame " + forwarded));
                Assert.Equal(forwarded + 1, (await d.WaitSentAsync(1, forwarded + 1)).Count);
                forwarded++;
            }
            await stuck.WaitAsync(HangGuard);

            Assert.Contains("longer than 1048576 bytes", await huge.WaitAsync(HangGuard), StringComparison.Ordinal);
            int garbageErrors = await garbage.WaitAsync(HangGuard);
            var (served, refused) = await crowd.WaitAsync(HangGuard);
            Assert.Equal(1_000, served + refused);
            Assert.InRange(served, 0, 64);
            Assert.True(refused >= 1_000 - 64, $"only {refused} of 1,000 connections were refused");

            foreach (Socket s in abusers) s.Dispose();
            abusers.Clear();
            ControlReply stats = await WithNewClientAsync(d, "stats");
            long Counter(string path) => stats.Result.GetProperty("counters").GetProperty(path).GetInt64();
            Assert.True(Counter("control/lines-too-long") >= 1);
            Assert.True(Counter("control/clients-rejected") >= refused);

            output.WriteLine($"During the abuse: {answered} requests of a connected client answered, {forwarded} frames forwarded; " +
                $"10 MB line refused, {garbageErrors} garbage lines answered with errors, of 1,000 simultaneous connections " +
                $"{served} served and {refused} refused; then a new client was served. control/clients-rejected {Counter("control/clients-rejected")}, " +
                $"control/lines-too-long {Counter("control/lines-too-long")}, control/errors {Counter("control/errors")}");
        }
        finally
        {
            foreach (Socket s in abusers) s.Dispose();
        }
    }

    private static async Task<Socket> ConnectRawAsync(TestDaemon d)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(d.Socket));
        return socket;
    }

    // A client that sends thousands of requests and never reads a response.
    private static async Task NeverReadsAsync(TestDaemon d, List<Socket> keep)
    {
        Socket stuck = await ConnectRawAsync(d);
        lock (keep) keep.Add(stuck);
        stuck.Blocking = false;
        try
        {
            stuck.Send(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"command\":\"stats\"}\n", 3000))));
        }
        catch (SocketException)
        {
            // The buffers filled: the server is stuck writing to this client, as intended.
        }
    }

    // One line of 10 MB; the server answers with an error and closes once it has read 1 MiB of it.
    private static async Task<string> TenMegabyteLineAsync(TestDaemon d)
    {
        using Socket socket = await ConnectRawAsync(d);
        byte[] line = new byte[10 * 1024 * 1024];
        Array.Fill(line, (byte)'x');
        line[^1] = (byte)'\n';
        Task write = Task.Run(async () =>
        {
            try
            {
                await socket.SendAsync(line);
            }
            catch (SocketException)
            {
                // Closed under our feet: expected.
            }
        });
        var text = new StringBuilder();
        byte[] buffer = new byte[4096];
        int n;
        try
        {
            while ((n = await socket.ReceiveAsync(buffer)) > 0) text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        catch (SocketException)
        {
        }
        await write;
        return text.ToString();
    }

    // Lines of seeded random bytes, then a request: each line gets an error and the connection carries on.
    private static async Task<int> GarbageAsync(TestDaemon d)
    {
        await using ControlClient client = await d.ConnectAsync();
        var random = new Random(66);
        int errors = 0;
        for (int i = 0; i < 200; i++)
        {
            byte[] junk = new byte[1 + random.Next(300)];
            random.NextBytes(junk);
            for (int j = 0; j < junk.Length; j++) if (junk[j] is (byte)'\n' or (byte)'\r') junk[j] = (byte)'?';
            junk[0] = (byte)'#';   // never empty, never accidentally a valid request
            ControlReply reply = await client.SendLineAsync(junk.Append((byte)'\n').ToArray()).WaitAsync(HangGuard);
            Assert.False(reply.Ok);
            errors++;
        }
        Assert.True((await client.CallAsync("ports").WaitAsync(HangGuard)).Ok);
        return errors;
    }

    // 1,000 clients connect at once and each asks for the ports: each is answered or refused with a reason.
    // Found by this test: with a listen backlog of 64, most of the thousand were refused by the
    // kernel (EAGAIN, which vswitchctl reports as "cannot reach vswitchd") before the daemon could
    // tell them why; the backlog is now ControlServer.Backlog.
    private static async Task<(int Served, int Refused)> ThousandAtOnceAsync(TestDaemon d, List<Socket> keep)
    {
        Task<bool>[] clients = Enumerable.Range(0, 1_000).Select(_ => Task.Run(async () =>
        {
            Socket socket = await ConnectRawAsync(d);
            lock (keep) keep.Add(socket);
            try
            {
                await socket.SendAsync("{\"command\":\"ports\"}\n"u8.ToArray());
            }
            catch (SocketException)
            {
                // Refused and closed before the request went out.
            }
            string line = await ReadLineAsync(socket);
            if (line.Contains("\"ok\":true", StringComparison.Ordinal)) return true;
            Assert.Contains("too many control clients", line, StringComparison.Ordinal);
            return false;
        })).ToArray();
        bool[] served = await Task.WhenAll(clients);
        return (served.Count(s => s), served.Count(s => !s));
    }

    private static async Task<string> ReadLineAsync(Socket socket)
    {
        var bytes = new List<byte>();
        byte[] one = new byte[1];
        try
        {
            while (await socket.ReceiveAsync(one) == 1 && one[0] != '\n') bytes.Add(one[0]);
        }
        catch (SocketException)
        {
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static async Task<ControlReply> WithNewClientAsync(TestDaemon d, string command)
    {
        // The server notices the abusers' closed connections as it reads them: give it a moment, boundedly.
        for (int attempt = 0; ; attempt++)
        {
            await using ControlClient client = await d.ConnectAsync();
            ControlReply reply = await client.CallAsync(command).WaitAsync(HangGuard);
            if (reply.Ok || attempt == 100) return reply;
            await Task.Delay(100);
        }
    }
}
