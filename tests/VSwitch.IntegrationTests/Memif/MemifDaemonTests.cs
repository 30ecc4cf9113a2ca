using System.Text.Json;
using VSwitch.IntegrationTests.Infrastructure;
using VSwitch.Memif.Client;

namespace VSwitch.IntegrationTests.Memif;

/// <summary>memif ports in vswitchd as an operator runs it: listed by vswitchctl, added and removed at run time.</summary>
public sealed class MemifDaemonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsit-memifd").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Vswitchctl_MemifPorts_ShowLinkStatePeerRingsAndCounters_AndRuntimeAddDelWork()
    {
        Privileges.RequireRoot();
        string socket = Path.Combine(_dir, "memif.sock");
        using var daemon = new DaemonProcess(Path.Combine(_dir, "vswitchd.sock"),
            "--port", $"memif:{socket}", "--port", $"memif:{socket},id=1", "--hosts", "none", "--ethers", "none");
        Assert.Equal("listening", Memif(daemon, "memif0").GetProperty("state").GetString());

        using MemifClient a = MemifClient.Connect(socket, 0, "container-a");
        using MemifClient b = MemifClient.Connect(socket, 1, "container-b");
        byte[] frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0xFF);
        frame[6] = 0x02;
        frame[11] = 0x0A;
        frame[12] = 0x88;
        frame[13] = 0xB5;
        Assert.True(a.Send(frame));
        Assert.Equal(frame, b.Receive(TimeSpan.FromSeconds(5)));

        JsonElement m0 = Memif(daemon, "memif0");
        Assert.Equal("connected", m0.GetProperty("state").GetString());
        Assert.Equal("container-a", m0.GetProperty("peerName").GetString());
        Assert.Equal(1024, m0.GetProperty("rxRingSize").GetInt32());
        Assert.Equal(1, m0.GetProperty("connects").GetInt64());
        Sh.Result text = daemon.Ctl("ports");
        Assert.Contains($"memif1: memif server id 1 on {socket}: connected, peer container-b, rings rx 1024 tx 1024", text.Stdout);

        // Supervision reports link changes in the log.
        var logDeadline = DateTime.UtcNow.AddSeconds(10);
        while (!daemon.Log.Contains("memif peer container-a connected", StringComparison.Ordinal) && DateTime.UtcNow < logDeadline) Thread.Sleep(100);
        Assert.Contains("Port memif0: memif peer container-a connected (server, rings rx 1024 tx 1024)", daemon.Log);

        // A port added at run time serves a third id on the same socket; removing it ends its link.
        Sh.Result add = daemon.Ctl("port", "add", $"memif:{socket},id=2");
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        using MemifClient c = MemifClient.Connect(socket, 2, "container-c");
        Assert.Equal("container-c", Memif(daemon, "memif2").GetProperty("peerName").GetString());
        Sh.Result del = daemon.Ctl("port", "del", "memif2");
        Assert.True(del.ExitCode == 0, del.Stdout + del.Stderr);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (c.CheckControl() && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.False(c.IsConnected);
        Assert.Contains("port removed", c.DisconnectReason);
        // The other ids on the socket are untouched.
        Assert.True(b.Send(frame));
        Assert.Equal(frame, a.Receive(TimeSpan.FromSeconds(5)));
    }

    private static JsonElement Memif(DaemonProcess daemon, string port)
    {
        using JsonDocument ports = daemon.CtlJson("ports");
        foreach (JsonElement p in ports.RootElement.GetProperty("ports").EnumerateArray())
            if (p.GetProperty("name").GetString() == port) return p.GetProperty("memif").Clone();
        throw new KeyNotFoundException(port);
    }
}
