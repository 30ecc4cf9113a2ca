using System.Net.Sockets;
using System.Text;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Control.Commands;

namespace VSwitch.Tests.Control;

/// <summary>A bad or slow client costs itself, never the other clients or the datapath.</summary>
public class ControlServerTests
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"command\":")]
    [InlineData("[1,2,3]")]
    [InlineData("null")]
    [InlineData("{\"command\":42}")]
    [InlineData("{\"args\":{}}")]
    [InlineData("{\"command\":\"ports\",\"arg\":{}}")]
    [InlineData("{\"command\":\"ports\"} {\"command\":\"ports\"}")]
    [InlineData("{\"command\":\"no/such\"}")]
    public async Task Garbage_GetsAnErrorAndTheConnectionCarriesOn(string line)
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        ControlReply reply = await c.SendLineAsync(Encoding.UTF8.GetBytes(line + "\n")).WaitAsync(Prompt);
        Assert.False(reply.Ok);
        Assert.False(string.IsNullOrEmpty(reply.Error));
        Assert.True((await c.CallAsync("ports").WaitAsync(Prompt)).Ok);
    }

    [Fact]
    public async Task SeveralRequestsInOneWrite_AnsweredInOrder()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        ControlReply first = await c.SendLineAsync("{\"command\":\"fdb/flush\"}\r\n\n{\"command\":\"nope\"}\n"u8.ToArray()).WaitAsync(Prompt);
        ControlReply second = await c.ReadReplyAsync().WaitAsync(Prompt);
        Assert.True(first.Ok);
        Assert.Contains("unknown command 'nope'", second.Error);
    }

    [Fact]
    public async Task TwoMebibyteLine_ErrorThenClosed_OthersStillServed()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await raw.ConnectAsync(new UnixDomainSocketEndPoint(d.Socket));
        byte[] huge = new byte[2 * 1024 * 1024];
        Array.Fill(huge, (byte)'a');
        huge[^1] = (byte)'\n';
        // The server may close before it has read everything; the write failing then is expected.
        Task write = Task.Run(async () =>
        {
            try
            {
                await raw.SendAsync(huge);
            }
            catch (SocketException)
            {
            }
        });
        string response = await ReadAllAsync(raw).WaitAsync(Prompt);
        Assert.Contains("\"ok\":false", response, StringComparison.Ordinal);
        Assert.Contains("longer than 1048576 bytes", response, StringComparison.Ordinal);
        await write.WaitAsync(Prompt);

        await using ControlClient other = await d.ConnectAsync();
        Assert.True((await other.CallAsync("ports").WaitAsync(Prompt)).Ok);
    }

    [Fact]
    public async Task ClientThatNeverReads_DoesNotStopOthersOrTheDatapath()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        using var stuck = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await stuck.ConnectAsync(new UnixDomainSocketEndPoint(d.Socket));
        // Thousands of requests whose responses (a few KiB each) fill the socket buffers: the
        // server's write to this client blocks, and it must block only this client.
        byte[] requests = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"command\":\"stats\"}\n", 3000)));
        stuck.Blocking = false;
        try
        {
            stuck.Send(requests);
        }
        catch (SocketException)
        {
            // The receive buffer filled up: the server is already stuck writing.
        }

        for (int i = 0; i < 5; i++)
        {
            await using ControlClient c = await d.ConnectAsync();
            Assert.True((await c.CallAsync("stats").WaitAsync(Prompt)).Ok);
        }
        await d.SendAsync(0, Scenarios.TestFrames.Udp(Scenarios.TestFrames.A, Scenarios.TestFrames.B, "still forwarding"));
        Assert.Single(await d.WaitSentAsync(1, 1));
    }

    [Fact]
    public async Task ClientThatConnectsAndSaysNothing_DoesNotStopOthers()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await silent.ConnectAsync(new UnixDomainSocketEndPoint(d.Socket));
        await silent.SendAsync("{\"command\":\"por"u8.ToArray());
        await using ControlClient c = await d.ConnectAsync();
        Assert.True((await c.CallAsync("ports").WaitAsync(Prompt)).Ok);
    }

    [Fact]
    public async Task FiftyConcurrentClients_AllAnswered()
    {
        await using TestDaemon d = await TestDaemon.StartAsync(hosts: "198.18.0.10 web\n");
        Task<bool>[] clients = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await using ControlClient c = await d.ConnectAsync();
            bool ok = true;
            foreach (string command in new[] { "ports", "stats", "fdb/show", "hosts/list" })
                ok &= (await c.CallAsync(command)).Ok;
            return ok;
        })).ToArray();
        bool[] results = await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(results, Assert.True);
    }

    [Fact]
    public async Task OneClientTooMany_ToldSoAndClosed_ServedAgainOnceOthersLeave()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        var idle = new List<Socket>();
        for (int i = 0; i < new ControlServerOptions().MaxClients; i++)
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(d.Socket));
            idle.Add(s);
        }
        using (var extra = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await extra.ConnectAsync(new UnixDomainSocketEndPoint(d.Socket));
            Assert.Contains("too many control clients", await ReadAllAsync(extra).WaitAsync(Prompt), StringComparison.Ordinal);
        }
        foreach (Socket s in idle) s.Dispose();

        var deadline = DateTime.UtcNow + Prompt;
        while (true)
        {
            await using ControlClient c = await d.ConnectAsync();
            ControlReply reply = await c.CallAsync("ports").WaitAsync(Prompt);
            if (reply.Ok) break;
            Assert.True(DateTime.UtcNow < deadline, reply.Error);
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task PeerVanishesMidRequest_ServerCarriesOn()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        for (int i = 0; i < 10; i++)
        {
            using var gone = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await gone.ConnectAsync(new UnixDomainSocketEndPoint(d.Socket));
            await gone.SendAsync("{\"command\":\"stats\"}\n"u8.ToArray());
            gone.Close();
        }
        await using ControlClient c = await d.ConnectAsync();
        Assert.True((await c.CallAsync("ports").WaitAsync(Prompt)).Ok);
    }

    [Fact]
    public async Task Dispose_RemovesTheSocketFile()
    {
        TestDaemon d = await TestDaemon.StartAsync();
        string socket = d.Socket;
        Assert.True(File.Exists(socket));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(socket));
        await d.Daemon.DisposeAsync();
        Assert.False(File.Exists(socket));
        await d.DisposeAsync();
    }

    [Fact]
    public async Task SecondDaemonOnTheSameSocket_Refused()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        var config = d.Daemon.Config with { Ports = [], HostsPath = null, EthersPath = null };
        IOException e = await Assert.ThrowsAsync<IOException>(() =>
            VSwitch.Daemon.Daemon.StartAsync(config, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CommandDispatcher.For));
        Assert.Contains("another vswitchd", e.Message, StringComparison.Ordinal);
        // Refused by the instance lock, which names the holder, before the socket is even looked at.
        Assert.Contains($"(pid {Environment.ProcessId})", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(".lock", e.Message.Split(':')[0], StringComparison.Ordinal);
        await using ControlClient c = await d.ConnectAsync();
        Assert.True((await c.CallAsync("ports").WaitAsync(Prompt)).Ok);
    }

    [Fact]
    public void Serialize_ErrorWithDetails_IsOneLine()
    {
        byte[] line = ControlServer.Serialize(CommandOutcome.Fail("bad", ["f:1: x", "f:2: \"y\""]));
        Assert.Equal("{\"ok\":false,\"error\":\"bad\",\"errors\":[\"f:1: x\",\"f:2: \\u0022y\\u0022\"]}\n", Encoding.UTF8.GetString(line));
    }

    private static async Task<string> ReadAllAsync(Socket socket)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer);
            }
            catch (SocketException)
            {
                break;
            }
            if (n == 0) break;
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return text.ToString();
    }
}
