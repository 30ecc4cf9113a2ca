using VSwitch.Daemon.Ports.Memif;
using VSwitch.Memif.Client;
using VSwitch.Tests.Scenarios;

namespace VSwitch.Tests.Memif;

/// <summary>VSwitch in the client role: it creates the region and the eventfds and connects to a
/// server, here another switch's memif port (DPDK as the server is in the integration tests).</summary>
public class MemifClientRoleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public void TwoSwitchesLinkedByMemif_FrameCrossesBoth_AndTheClientReconnectsWhenTheServerPortReturns()
    {
        using var upstream = new MemifSwitch();
        using var downstream = new MemifSwitch();
        MemifPort serverSide = upstream.Add(0);
        upstream.Add(1);
        downstream.Add(0);
        upstream.Start();
        downstream.Start();
        // Small rings and buffers from the client's side: the server follows the client's layout.
        MemifPort uplink = downstream.AddClient(upstream.SocketPath, 0, log2RingSize: 6, bufferSize: 512);
        MemifPortStatus s = downstream.WaitFor(uplink, s => s.State == "connected");
        Assert.Equal(("connected", "client", 64, 64), (s.State, s.Role, s.RxRingSize, s.TxRingSize));
        Assert.Equal(64, upstream.WaitFor(serverSide, s => s.State == "connected").RxRingSize);

        using MemifClient up = MemifClient.Connect(upstream.SocketPath, 1, "up");
        using MemifClient down = MemifClient.Connect(downstream.SocketPath, 0, "down");
        byte[] frame = TestFrames.UdpTo(TestFrames.A, TestFrames.Broadcast, "198.18.255.255", "across two switches".PadRight(1200, '.'));
        Assert.True(down.Send(frame));
        Assert.Equal(frame, up.Receive(Wait));
        byte[] back = TestFrames.UdpTo(TestFrames.B, TestFrames.Broadcast, "198.18.255.255", "and back".PadRight(900, '.'));
        Assert.True(up.Send(back));
        Assert.Equal(back, down.Receive(Wait));

        // The server's port goes away and comes back: the client role notices and reconnects by itself.
        upstream.Remove(serverSide);
        Assert.Equal("connecting", downstream.WaitFor(uplink, s => s.State == "connecting").State);
        upstream.Add(0);
        s = downstream.WaitFor(uplink, s => s.State == "connected" && s.Connects == 2);
        Assert.Equal((2L, 1L), (s.Connects, s.Disconnects));
        Assert.True(down.Send(frame));
        Assert.Equal(frame, up.Receive(Wait));
    }
}
