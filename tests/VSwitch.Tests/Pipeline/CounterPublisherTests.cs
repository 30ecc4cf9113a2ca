using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Pipeline;

/// <summary>Counters are published by the loop and read from other threads: whole publications
/// only, and the same numbers the loop would give if asked directly.</summary>
public class CounterPublisherTests
{
    [Fact]
    public async Task Published_WhileTheLoopRuns_NeverTorn_AndEqualToTheLoopsOwnAtTheEnd()
    {
        using var pool = new FramePool(256, 2048);
        var loop = new ForwardingLoop(pool, MonotonicClock.Instance, new SwitchOptions { Idle = new IdlePolicy(0, int.MaxValue, 0) });
        var p1 = new MemoryPort("p1", pool);
        var p2 = new MemoryPort("p2", pool);
        loop.AddPort(p1);
        loop.AddPort(p2);
        byte[] frame = Udp(A, B, "counted");
        using var stop = new CancellationTokenSource();
        var thread = new Thread(() => loop.Run(stop.Token)) { IsBackground = true };
        thread.Start();

        Task feeding = Task.Run(async () =>
        {
            for (int round = 0; round < 500; round++)
                await loop.Invoke(_ =>
                {
                    for (int i = 0; i < 16; i++) p1.Enqueue(frame);
                    return 0;
                });
        });
        int reads = 0, seen = 0;
        while (!feeding.IsCompleted)
        {
            Dictionary<string, long> c = loop.Published.Read().ToDictionary(kv => kv.Key, kv => kv.Value);
            reads++;
            if (!c.TryGetValue("port/p1/rx-packets", out long packets)) continue;
            // Bytes and packets move together in the loop: a torn copy would split them.
            Assert.Equal(packets * frame.Length, c["port/p1/rx-bytes"]);
            Assert.Equal(packets, c["port/p2/tx-packets"]);
            if (packets > 0) seen++;
        }
        await feeding;
        stop.Cancel();
        thread.Join();

        Assert.True(seen > 0, $"{reads} reads saw no traffic");
        Assert.Equal(loop.CounterSnapshot(), loop.Published.Read());
        Assert.Equal(8000, loop.Published.Read().Single(kv => kv.Key == "port/p1/rx-packets").Value);
    }

    [Fact]
    public void Published_BeforeTheLoopRuns_IsEmpty()
    {
        using var pool = new FramePool(16, 2048);
        var loop = new ForwardingLoop(pool, new ManualClock());
        Assert.Empty(loop.Published.Read());
    }
}
