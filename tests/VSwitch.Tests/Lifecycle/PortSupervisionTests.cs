using System.Text.Json.Nodes;
using VSwitch.Daemon.Ports;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Control.Commands;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Tests.Control;
using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Lifecycle;

/// <summary>Supervision notices ports that went down, counts them, and re-opens those it can from their spec.</summary>
public class PortSupervisionTests
{
    private static readonly ControlJsonContext Json = ControlJsonContext.Default;

    [Fact]
    public async Task GivenPortGoesDownAndUp_CountedAndShown()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        await d.Daemon.InvokeAsync(_ => d.Ports[1].IsUp = false);
        await d.Daemon.SuperviseOnceAsync();
        await d.Daemon.SuperviseOnceAsync();

        StatsResult stats = await c.CallAsync("stats", new JsonObject { ["prefix"] = "supervisor/p2/" }, Json.StatsResult);
        Assert.Equal((1, 1), (stats.Counters["supervisor/p2/down"], stats.Counters["supervisor/p2/went-down"]));
        Assert.Equal("down", (await c.CallAsync("ports", null, Json.PortsResult)).Ports[1].State);

        await d.Daemon.InvokeAsync(_ => d.Ports[1].IsUp = true);
        await d.Daemon.SuperviseOnceAsync();
        stats = await c.CallAsync("stats", new JsonObject { ["prefix"] = "supervisor/p2/" }, Json.StatsResult);
        Assert.Equal((0, 1), (stats.Counters["supervisor/p2/down"], stats.Counters["supervisor/p2/went-down"]));
    }

    [Fact]
    public async Task PortFromASpecGoesAway_ReopenedAndTheOthersCarryOn()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        string record = Path.Combine(d.Dir, "rec.pcap");
        Assert.True((await c.CallAsync("port/add", new JsonObject { ["spec"] = $"pcap-file:,{record}" })).Ok);

        // The device vanishes under the switch: its port reports IsUp false from then on.
        await d.Daemon.InvokeAsync(l =>
        {
            l.Ports.All.Single(p => p.Port.Name == "rec").Port.Dispose();
            return 0;
        });
        await d.Daemon.SuperviseOnceAsync();

        PortsResult ports = await c.CallAsync("ports", null, Json.PortsResult);
        PortInfo rec = ports.Ports.Single(p => p.Name == "rec");
        Assert.Equal(("up", 1L, 1L), (rec.State, rec.WentDown, rec.Reopened));
        await d.SendAsync(0, Udp(A, B, "p1 to p2 still works"));
        Assert.Single(await d.WaitSentAsync(1, 1));
    }

    [Fact]
    public async Task PortThatCannotBeReopened_StaysDetachedUntilItCan()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await using ControlClient c = await d.ConnectAsync();
        string input = Path.Combine(d.Dir, "in.pcap");
        File.Copy(Path.Combine(Config.ConfigFileReaderTests.RepoRoot(), "captures", "l2", "flood-then-learn", "in.p1.pcap"), input);
        Assert.True((await c.CallAsync("port/add", new JsonObject { ["spec"] = $"pcap-file:{input}" })).Ok);

        await d.Daemon.InvokeAsync(l =>
        {
            l.Ports.All.Single(p => p.Port.Name == "in").Port.Dispose();
            return 0;
        });
        File.Move(input, input + ".away");
        await d.Daemon.SuperviseOnceAsync();
        await d.Daemon.SuperviseOnceAsync();
        PortInfo down = (await c.CallAsync("ports", null, Json.PortsResult)).Ports.Single(p => p.Name == "in");
        Assert.Equal(("down", -1), (down.State, down.Id));
        StatsResult stats = await c.CallAsync("stats", new JsonObject { ["prefix"] = "supervisor/in/" }, Json.StatsResult);
        Assert.Equal(2, stats.Counters["supervisor/in/reopen-failed"]);
        Assert.Equal(2, (await d.Daemon.InvokeAsync(l => l.Ports.All.Count())));

        File.Move(input + ".away", input);
        await d.Daemon.SuperviseOnceAsync();
        PortInfo up = (await c.CallAsync("ports", null, Json.PortsResult)).Ports.Single(p => p.Name == "in");
        Assert.Equal(("up", 1L), (up.State, up.Reopened));

        // A port being waited for can still be deleted.
        Assert.True((await c.CallAsync("port/del", new JsonObject { ["name"] = "in" })).Ok);
    }
}
