using System.Net.NetworkInformation;
using VSwitch.Daemon.Ports.Memif;
using VSwitch.Daemon.Ports.Tap;
using VSwitch.IntegrationTests.Infrastructure;
using VSwitch.Memif.Client;
using VSwitch.Memif.Protocol;

namespace VSwitch.IntegrationTests.Memif;

/// <summary>VSwitch's memif against an implementation it shares no code with: DPDK 22.11's net_memif in dpdk-testpmd.</summary>
/// <remarks>testpmd runs in macswap mode (every frame goes back out of the port it came in by, with
/// source and destination MAC swapped) or icmpecho mode (answers ARP and ping), so frames cross the
/// link in both directions and what comes back can be checked byte for byte.</remarks>
public sealed class TestPmdInteropTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly PhysicalAddress A = PhysicalAddress.Parse("02-00-00-00-00-0A");
    private static readonly PhysicalAddress B = PhysicalAddress.Parse("02-00-00-00-00-0B");

    private readonly string _dir = Directory.CreateTempSubdirectory("vsit-memif").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TestPmdClient_AgainstVSwitchServerOnAnAbstractSocket_FramesBothWays()
    {
        TestPmd.Require();
        string socket = $"vsit-memif-{Environment.ProcessId}";
        using var sw = new InProcessSwitch();
        var dpdkSide = new MemifPort("dpdk", new MemifPortOptions("@" + socket, 0), sw.Pool);
        var appSide = new MemifPort("app", new MemifPortOptions("@" + socket, 1), sw.Pool);
        sw.Add(dpdkSide);
        sw.Add(appSide);
        sw.Start();
        using var testpmd = new TestPmd([$"role=client,socket={socket},socket-abstract=yes,id=0"], "macswap");
        WaitConnected(sw, dpdkSide, testpmd);

        using MemifClient app = MemifClient.Connect("@" + socket, 1, "app");
        EchoThroughTestPmd(app, testpmd, 100, () => $"{StatusOf(sw, dpdkSide)}\n{StatusOf(sw, appSide)}");
    }

    [Fact]
    public void TestPmdServer_AgainstVSwitchClient_FramesBothWays()
    {
        TestPmd.Require();
        string dpdkSocket = Path.Combine(_dir, "dpdk.sock"), ourSocket = Path.Combine(_dir, "vswitch.sock");
        using var testpmd = new TestPmd([$"role=server,socket={dpdkSocket},socket-abstract=no,id=0"], "macswap");
        Assert.True(testpmd.WaitFor("Port 0:", Wait), testpmd.Output);
        using var sw = new InProcessSwitch();
        // VSwitch is the client here: it creates the region and the eventfds, and retries every second until testpmd listens.
        var dpdkSide = new MemifPort("dpdk", new MemifPortOptions(dpdkSocket, 0, MemifRole.Client, Log2RingSize: 11), sw.Pool);
        var appSide = new MemifPort("app", new MemifPortOptions(ourSocket, 0), sw.Pool);
        sw.Add(dpdkSide);
        sw.Add(appSide);
        sw.Start();
        MemifPortStatus s = WaitConnected(sw, dpdkSide, testpmd);
        Assert.Equal((2048, 2048), (s.RxRingSize, s.TxRingSize));

        using MemifClient app = MemifClient.Connect(ourSocket, 0, "app");
        EchoThroughTestPmd(app, testpmd, 100, () => $"{StatusOf(sw, dpdkSide)}\n{StatusOf(sw, appSide)}");
    }

    [Fact]
    public void TestPmdServerRestarts_VSwitchClientReconnectsWithoutARestart()
    {
        TestPmd.Require();
        string dpdkSocket = Path.Combine(_dir, "dpdk.sock"), ourSocket = Path.Combine(_dir, "vswitch.sock");
        using var sw = new InProcessSwitch();
        var dpdkSide = new MemifPort("dpdk", new MemifPortOptions(dpdkSocket, 0, MemifRole.Client), sw.Pool);
        var appSide = new MemifPort("app", new MemifPortOptions(ourSocket, 0), sw.Pool);
        sw.Add(dpdkSide);
        sw.Add(appSide);
        sw.Start();
        using (var first = new TestPmd([$"role=server,socket={dpdkSocket},socket-abstract=no,id=0"], "macswap"))
        {
            WaitConnected(sw, dpdkSide, first);
        }
        // testpmd is gone (killed, so no DISCONNECT: the socket's end of file says it).
        var deadline = DateTime.UtcNow + Wait;
        while (StatusOf(sw, dpdkSide).State == "connected" && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.Equal(1, StatusOf(sw, dpdkSide).Disconnects);
        File.Delete(dpdkSocket);

        using var second = new TestPmd([$"role=server,socket={dpdkSocket},socket-abstract=no,id=0"], "macswap");
        MemifPortStatus s = WaitConnected(sw, dpdkSide, second);
        Assert.Equal(2, s.Connects);
        using MemifClient app = MemifClient.Connect(ourSocket, 0, "app");
        EchoThroughTestPmd(app, second, 50, () => $"{StatusOf(sw, dpdkSide)}\n{StatusOf(sw, appSide)}");
    }

    [Fact]
    public void Ping_FromANamespaceOnTap_AnsweredByTestPmdOnMemif()
    {
        TestPmd.Require();
        string socket = Path.Combine(_dir, "vswitch.sock");
        string tap = $"vsitm{Environment.ProcessId % 100000}";
        using var h1 = new NetNamespace("h1");
        using var sw = new InProcessSwitch();
        var dpdkSide = new MemifPort("dpdk", new MemifPortOptions(socket, 0), sw.Pool);
        sw.Add(new TapPort(tap, sw.Pool));
        sw.Add(dpdkSide);
        sw.Start();
        h1.Adopt(tap, "eth0", "198.18.0.1/24");
        // icmpecho answers ARP requests and echo requests it receives, whatever the address asked for.
        using var testpmd = new TestPmd([$"role=client,socket={socket},socket-abstract=no,id=0"], "icmpecho");
        WaitConnected(sw, dpdkSide, testpmd);

        Sh.Result ping = h1.TryExec("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.18.0.2");
        Assert.True(ping.Stdout.Contains("3 received", StringComparison.Ordinal), ping.Stdout + ping.Stderr + testpmd.Output[^Math.Min(3000, testpmd.Output.Length)..]);
        Assert.Equal(0, StatusOf(sw, dpdkSide).BadDescriptors);
    }

    private static MemifPortStatus WaitConnected(InProcessSwitch sw, MemifPort port, TestPmd testpmd)
    {
        var deadline = DateTime.UtcNow + Wait;
        MemifPortStatus s;
        while ((s = StatusOf(sw, port)).State != "connected" && DateTime.UtcNow < deadline && !testpmd.HasExited)
            Thread.Sleep(50);
        Assert.True(s.State == "connected", $"memif link to testpmd not up: {s}\n{testpmd.Output}");
        Assert.StartsWith("DPDK", s.PeerName);
        return s;
    }

    private static MemifPortStatus StatusOf(InProcessSwitch sw, MemifPort port) =>
        sw.Loop.Invoke(_ => port.Status()).WaitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();

    // The app sends frames from A to B; the switch floods them to testpmd, which swaps the MACs and
    // sends them back; the switch has learnt A on the app's port and forwards the replies there.
    private static void EchoThroughTestPmd(MemifClient app, TestPmd testpmd, int count, Func<string> state)
    {
        // A DPDK client lends its receive buffers on its first poll, which may come a moment after
        // the handshake: probe until one frame has made the round trip, then count exactly.
        var warm = DateTime.UtcNow + Wait;
        bool echoed = false;
        while (!echoed && DateTime.UtcNow < warm)
        {
            app.Send(Frame(A, B, -1));
            echoed = app.Receive(TimeSpan.FromMilliseconds(100)) is not null;
        }
        Assert.True(echoed, "no probe came back from testpmd\n" + state());
        while (app.Receive(TimeSpan.FromMilliseconds(200)) is not null)
        {
            // Late echoes of earlier probes.
        }
        long before = testpmd.TxPackets();
        var frames = Enumerable.Range(0, count).Select(i => Frame(A, B, i)).ToList();
        int sent = 0;
        var received = new List<byte[]>();
        var deadline = DateTime.UtcNow + Wait;
        while (received.Count < count && DateTime.UtcNow < deadline)
        {
            if (sent < count && app.Send(frames[sent])) sent++;
            if (app.Receive(TimeSpan.FromMilliseconds(sent < count ? 0 : 50)) is byte[] f) received.Add(f);
        }
        Assert.True(received.Count == count, $"{received.Count} of {count} frames came back\n{state()}\n{testpmd.Output[^Math.Min(3000, testpmd.Output.Length)..]}");
        for (int i = 0; i < count; i++) Assert.Equal(Frame(B, A, i), received[i]);
        Assert.True(testpmd.WaitForStats(t => t.RxPackets() >= count && t.TxPackets() >= before + count, TimeSpan.FromSeconds(5)),
            $"testpmd counted rx {testpmd.RxPackets()} tx {testpmd.TxPackets()}");
    }

    private static byte[] Frame(PhysicalAddress dst, PhysicalAddress src, int sequence)
    {
        var f = new byte[60 + Math.Abs(sequence) % 200];
        dst.GetAddressBytes().CopyTo(f, 0);
        src.GetAddressBytes().CopyTo(f, 6);
        f[12] = 0x88;  // a local experimental EtherType: nothing in the switch's peephole looks at it
        f[13] = 0xB5;
        BitConverter.TryWriteBytes(f.AsSpan(14), sequence);
        for (int i = 18; i < f.Length; i++) f[i] = (byte)(i + sequence);
        return f;
    }
}
