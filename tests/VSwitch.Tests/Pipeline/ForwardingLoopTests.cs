using VSwitch.Datapath.Peephole;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using static VSwitch.Tests.Scenarios.TestFrames;

namespace VSwitch.Tests.Pipeline;

public class ForwardingLoopTests
{
    private static (ForwardingLoop Loop, MemoryPort[] Ports) Switch(FramePool pool, int ports, IPeephole? peephole = null)
    {
        var loop = new ForwardingLoop(pool, new ManualClock(), peephole: peephole);
        var list = new MemoryPort[ports];
        for (int i = 0; i < ports; i++) loop.AddPort(list[i] = new MemoryPort("p" + (i + 1), pool));
        return (loop, list);
    }

    private static long Counter(ForwardingLoop loop, string path) => loop.CounterSnapshot().Single(kv => kv.Key == path).Value;

    [Fact]
    public void RunOnce_FloodAndUnicast_EverySlotReturnedToThePool()
    {
        using var pool = new FramePool(64, 2048);
        var (loop, p) = Switch(pool, 4);
        p[0].Enqueue(Udp(A, B, "a"));
        loop.RunOnce();
        p[1].Enqueue(Udp(B, A, "b"));
        loop.RunOnce();
        Assert.Equal(pool.SlotCount, pool.Available);
        // The flood reached p2-p4; B's unicast answer reached p1 alone.
        Assert.Equal([1, 1, 1, 1], p.Select(x => x.Sent.Count));
    }

    [Fact]
    public void Flood_NoSlotForACopy_CountsNoBufferOnThatPort()
    {
        using var pool = new FramePool(2, 2048);
        var (loop, p) = Switch(pool, 4);
        p[0].Enqueue(Udp(A, B, "flood"));
        loop.RunOnce();
        // One slot holds the frame, one more copy fits; the third egress port gets nothing.
        Assert.Equal(2, p.Sum(x => x.Sent.Count));
        Assert.Equal(1, Counter(loop, "port/p2/drop/no-buffer") + Counter(loop, "port/p3/drop/no-buffer"));
        Assert.Equal(pool.SlotCount, pool.Available);
    }

    [Fact]
    public void Egress_PortDown_CountsPortDown()
    {
        using var pool = new FramePool(8, 2048);
        var (loop, p) = Switch(pool, 2);
        p[1].IsUp = false;
        p[0].Enqueue(Udp(A, B, "to a down port"));
        loop.RunOnce();
        Assert.Equal(1, Counter(loop, "port/p2/drop/port-down"));
        Assert.Equal(pool.SlotCount, pool.Available);
    }

    [Fact]
    public void Transmit_PortSendsFewer_CountsTxErrorForTheRest()
    {
        using var pool = new FramePool(64, 2048);
        var loop = new ForwardingLoop(pool, new ManualClock());
        var source = new MemoryPort("p1", pool);
        loop.AddPort(source);
        loop.AddPort(new HalfSendingPort(pool));
        for (int i = 0; i < 4; i++) source.Enqueue(Udp(A, B, "x" + i));
        loop.RunOnce();
        Assert.Equal(2, Counter(loop, "port/half/tx-packets"));
        Assert.Equal(2, Counter(loop, "port/half/drop/tx-error"));
        Assert.Equal(pool.SlotCount, pool.Available);
    }

    [Fact]
    public void RemovePort_ForgetsAddressesLearnedOnIt()
    {
        using var pool = new FramePool(16, 2048);
        var (loop, p) = Switch(pool, 3);
        p[1].Enqueue(Udp(B, A, "learn B on p2"));
        loop.RunOnce();
        loop.RemovePort(1);
        p[0].Enqueue(Udp(A, B, "B is gone"));
        loop.RunOnce();
        Assert.Single(p[2].Sent.Skip(1));
        Assert.Equal(1, loop.MacTable.Count);
    }

    [Fact]
    public void Run_Cancelled_Returns()
    {
        using var pool = new FramePool(8, 2048);
        var (loop, _) = Switch(pool, 2);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var thread = new Thread(() => loop.Run(stop.Token));
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Peephole_InjectedReply_GoesToAskerAndIsNeverLearned()
    {
        using var pool = new FramePool(16, 2048);
        var responder = new SwapAddressesPeephole(pool);
        var (loop, p) = Switch(pool, 3, responder);
        p[2].Enqueue(Udp(B, C, "B lives on p3"));
        loop.RunOnce();
        p[0].Enqueue(Udp(A, B, "question"));
        loop.RunOnce();
        // p1 saw the first frame flooded, then the reply; p2 and p3 never saw the question answered.
        Assert.Equal(2, p[0].Sent.Count);
        Assert.Single(p[1].Sent);
        Assert.Empty(p[2].Sent);
        byte[] reply = p[0].Sent[1];
        Assert.Equal(A.Mac.GetAddressBytes(), reply[..6]);
        Assert.Equal(B.Mac.GetAddressBytes(), reply[6..12]);
        Assert.True(loop.MacTable.TryLookup(1, MacAddress.Read(B.Mac.GetAddressBytes()), 0, out ushort bPort));
        Assert.Equal(2, bPort);
    }

    /// <summary>Answers every frame to B by sending it back with the addresses swapped, as a responder would.</summary>
    private sealed class SwapAddressesPeephole(FramePool pool) : IPeephole
    {
        public void Process(Span<FrameDescriptor> frames, long now)
        {
            Span<byte> dst = stackalloc byte[6];
            for (int i = 0; i < frames.Length; i++)
            {
                Span<byte> f = pool.Frame(frames[i]);
                if (!f[..6].SequenceEqual(B.Mac.GetAddressBytes())) continue;
                f[..6].CopyTo(dst);
                f[6..12].CopyTo(f);
                dst.CopyTo(f[6..]);
                frames[i].InPort = PortIds.Responder;
            }
        }
    }

    /// <summary>A port that sends only the first half of every burst it is given.</summary>
    private sealed class HalfSendingPort(FramePool pool) : IPort
    {
        public string Name => "half";
        public bool IsUp => true;
        public int Receive(Span<FrameDescriptor> burst) => 0;
        public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
        {
            foreach (var d in burst) pool.Return(d.Slot);
            return burst.Length / 2;
        }
        public void Dispose() { }
    }
}
