using System.Diagnostics;
using VSwitch.Daemon.Ports.Memif;
using VSwitch.Memif.Client;
using VSwitch.Memif.Control;
using VSwitch.Memif.Protocol;
using VSwitch.Tests.Scenarios;
using VSwitch.Linux;

namespace VSwitch.Tests.Memif;

public class MemifPortTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public void TwoIdsOnOneSocket_FramesCrossTheSwitchBothWays()
    {
        using var sw = new MemifSwitch();
        MemifPort p0 = sw.Add(0);
        MemifPort p1 = sw.Add(1);
        sw.Start();
        using MemifClient a = MemifClient.Connect(sw.SocketPath, 0, "host-a");
        using MemifClient b = MemifClient.Connect(sw.SocketPath, 1, "host-b");

        // b speaks first so the switch learns where b is; a's frame to b is then forwarded, not flooded.
        byte[] hello = TestFrames.Udp(TestFrames.B, TestFrames.A, "from b");
        Assert.True(b.Send(hello));
        Assert.Equal(hello, a.Receive(Wait));
        byte[] reply = TestFrames.Udp(TestFrames.A, TestFrames.B, "from a");
        Assert.True(a.Send(reply));
        Assert.Equal(reply, b.Receive(Wait));

        MemifPortStatus s = sw.Status(p0);
        Assert.Equal("connected", s.State);
        Assert.Equal("host-a", s.PeerName);
        Assert.Equal(1024, s.RxRingSize);
        Assert.Equal(1, s.Connects);
        Assert.Equal("host-b", sw.Status(p1).PeerName);
    }

    [Fact]
    public void BurstOfFullSizeFrames_ClientsWithSmallBuffers_ChainedBothWaysAndArriveIntact()
    {
        using var sw = new MemifSwitch();
        sw.Add(0);
        sw.Add(1);
        sw.Start();
        // 256-byte buffers: a 1500-byte frame takes six chained slots into the switch and six out of it.
        using MemifClient a = MemifClient.Connect(sw.SocketPath, 0, "a", bufferSize: 256);
        using MemifClient b = MemifClient.Connect(sw.SocketPath, 1, "b", bufferSize: 256);
        Assert.True(b.Send(TestFrames.Udp(TestFrames.B, TestFrames.A, "learn")));
        Assert.NotNull(a.Receive(Wait));
        byte[][] frames = [.. Enumerable.Range(0, 20).Select(i => TestFrames.Udp(TestFrames.A, TestFrames.B, "chained " + i, padTo: 1400 + i))];
        byte[] packed = [.. frames.SelectMany(f => f)];
        Assert.Equal(20, a.Send(packed, frames.Select(f => f.Length).ToArray()));
        foreach (byte[] f in frames) Assert.Equal(f, b.Receive(Wait));
    }

    [Fact]
    public void Reconnect_ClientLeavesThenAnotherConnectsOnTheSameId_FramesFlowAgain()
    {
        using var sw = new MemifSwitch();
        MemifPort p0 = sw.Add(0);
        sw.Add(1);
        sw.Start();
        using MemifClient b = MemifClient.Connect(sw.SocketPath, 1, "b");
        MemifClient first = MemifClient.Connect(sw.SocketPath, 0, "first");
        first.Dispose();
        MemifPortStatus s = sw.WaitFor(p0, s => s.Disconnects == 1);
        Assert.Equal("listening", s.State);
        Assert.Contains("client closed", s.LastError);

        using MemifClient second = MemifClient.Connect(sw.SocketPath, 0, "second");
        byte[] frame = TestFrames.UdpTo(TestFrames.A, TestFrames.Broadcast, "198.18.255.255", "after reconnect");
        Assert.True(second.Send(frame));
        Assert.Equal(frame, b.Receive(Wait));
        s = sw.Status(p0);
        Assert.Equal(("connected", "second", 2L), (s.State, s.PeerName, s.Connects));
    }

    [Fact]
    public void ClientProcessGoesAway_SocketEof_PortFreesTheId()
    {
        using var sw = new MemifSwitch();
        MemifPort p0 = sw.Add(0);
        sw.Start();
        // A raw handshake whose socket is then closed without DISCONNECT, as when a container dies.
        MemifClient c = MemifClient.Connect(sw.SocketPath, 0, "dies");
        CloseWithoutGoodbye(c);
        MemifPortStatus s = sw.WaitFor(p0, s => s.Disconnects == 1);
        Assert.Equal("listening", s.State);
        using MemifClient again = MemifClient.Connect(sw.SocketPath, 0, "again");
        Assert.Equal("connected", sw.WaitFor(p0, s => s.Connects == 2).State);
    }

    private static void CloseWithoutGoodbye(MemifClient c)
    {
        var field = typeof(MemifClient).GetField("_connection", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        ((VSwitch.Memif.Session.MemifConnection)field.GetValue(c)!).Dispose();
    }

    [Fact]
    public void SecondClientOnABusyId_RefusedAlreadyConnected_FirstUnaffected()
    {
        using var sw = new MemifSwitch();
        MemifPort p0 = sw.Add(0);
        sw.Add(1);
        sw.Start();
        using MemifClient first = MemifClient.Connect(sw.SocketPath, 0, "first");
        IOException e = Assert.Throws<IOException>(() => MemifClient.Connect(sw.SocketPath, 0, "intruder"));
        Assert.Contains("Already connected", e.Message);
        Assert.Equal("first", sw.Status(p0).PeerName);
    }

    [Fact]
    public void UnknownId_RefusedIdNotFound()
    {
        using var sw = new MemifSwitch();
        sw.Add(0);
        sw.Start();
        Assert.Contains("ID not found", Assert.Throws<IOException>(() => MemifClient.Connect(sw.SocketPath, 7, "x")).Message);
    }

    [Fact]
    public void Secret_WrongOneRefused_RightOneAccepted()
    {
        using var sw = new MemifSwitch();
        MemifPort p = sw.Add(0, secret: "open sesame");
        sw.Start();
        Assert.Contains("incorrect secret", Assert.Throws<IOException>(() => MemifClient.Connect(sw.SocketPath, 0, "x", "guess")).Message);
        Assert.Equal(1, sw.WaitFor(p, s => s.Refused == 1).Refused);
        using MemifClient ok = MemifClient.Connect(sw.SocketPath, 0, "x", "open sesame");
        Assert.Equal("connected", sw.WaitFor(p, s => s.State == "connected").State);
    }

    [Fact]
    public void HostileClient_RegionNotSealedAgainstShrinking_RefusedAndThePortServesTheNextPeer()
    {
        using var sw = new MemifSwitch();
        MemifPort p = sw.Add(0);
        sw.Start();
        ControlChannel channel = ControlChannel.TryConnect(sw.SocketPath, out string? error) ?? throw new IOException(error);
        using (channel)
        {
            var m = new byte[128];
            Assert.Equal(MemifMessageType.Hello, Expect(channel, m));
            MemifMessageWriter.Init(m, 0, "hostile", null);
            Assert.True(channel.Send(m));
            Assert.Equal(MemifMessageType.Ack, Expect(channel, m));
            int fd = LibC.MemfdCreate("unsealed", LibC.MFD_CLOEXEC);
            Assert.Equal(0, LibC.Ftruncate(fd, 1 << 20));
            MemifMessageWriter.AddRegion(m, 0, 1 << 20);
            Assert.True(channel.Send(m, fd));
            LibC.Close(fd);
            Assert.Equal(MemifMessageType.Disconnect, Expect(channel, m));
            Assert.True(MemifMessage.TryRead(m, out MemifMessage d));
            Assert.Contains("seal", d.DisconnectText);
        }
        MemifPortStatus s = sw.WaitFor(p, s => s.Refused == 1);
        Assert.Equal("listening", s.State);
        using MemifClient good = MemifClient.Connect(sw.SocketPath, 0, "good");
        Assert.Equal("connected", sw.WaitFor(p, s => s.State == "connected").State);
    }

    private static MemifMessageType Expect(ControlChannel channel, byte[] m)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Wait)
        {
            ReceiveStatus status = channel.TryReceive(m, out int fd);
            if (fd >= 0) LibC.Close(fd);
            if (status == ReceiveStatus.Message) return MemifMessage.TryRead(m, out MemifMessage r) ? r.Type : MemifMessageType.None;
            if (status != ReceiveStatus.WouldBlock) return MemifMessageType.None;
            Thread.Sleep(1);
        }
        return MemifMessageType.None;
    }

    [Fact]
    public void IdleSwitch_AsksForInterrupts_AFrameWakesItLongBeforeTheSleepEnds()
    {
        // The loop sleeps up to 30 s at a time: only the eventfd can wake it promptly.
        using var sw = new MemifSwitch(sleepMicroseconds: 30_000_000);
        sw.Add(0);
        sw.Add(1);
        sw.Start();
        using MemifClient a = MemifClient.Connect(sw.SocketPath, 0, "a");
        using MemifClient b = MemifClient.Connect(sw.SocketPath, 1, "b");
        var deadline = Stopwatch.StartNew();
        while (!a.PeerWantsInterrupts && deadline.Elapsed < Wait) Thread.Sleep(10);
        Assert.True(a.PeerWantsInterrupts, "the idle switch never cleared MASK_INT on its receive ring");
        Thread.Sleep(200);  // well inside the sleep
        var sent = Stopwatch.StartNew();
        Assert.True(a.Send(TestFrames.UdpTo(TestFrames.A, TestFrames.Broadcast, "198.18.255.255", "wake up")));
        Assert.NotNull(b.Receive(Wait));
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(10), $"took {sent.Elapsed}: woken by the time-out, not the eventfd");
    }
}
