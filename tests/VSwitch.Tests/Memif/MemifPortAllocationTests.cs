using VSwitch.Daemon.Ports.Memif;
using VSwitch.Datapath.Buffers;
using VSwitch.Memif.Client;
using VSwitch.Memif.Protocol;

namespace VSwitch.Tests.Memif;

/// <summary>The memif hot path allocates nothing per frame: the port's Receive and Transmit, and the client library's bursts.</summary>
public class MemifPortAllocationTests
{
    [Fact]
    public async Task ReceiveTransmitAndClientBursts_TenThousandRounds_AllocateNothing()
    {
        string dir = Directory.CreateTempSubdirectory("vsmemif-alloc").FullName;
        try
        {
            using var pool = new FramePool(256, 2048);
            using var port = new MemifPort("m0", new MemifPortOptions(Path.Combine(dir, "s"), 0, MemifRole.Server), pool);
            var burst = new FrameDescriptor[32];
            // The client's blocking handshake on another thread; this thread services the port meanwhile, as the loop would.
            Task<MemifClient> connecting = Task.Run(() => MemifClient.Connect(Path.Combine(dir, "s"), 0, "alloc"));
            while (!connecting.IsCompleted) port.Receive(burst);
            using MemifClient client = await connecting;
            byte[] frame = new byte[60];
            frame[0] = 0x02;
            var buffer = new byte[32 * 2048];
            var lengths = new int[32];

            long moved = Rounds(port, client, frame, burst, buffer, lengths, 1000);  // warm-up: JIT, tiering
            long before = GC.GetAllocatedBytesForCurrentThread();
            moved = Rounds(port, client, frame, burst, buffer, lengths, 10_000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(10_000 * 32L, moved);
            Assert.Equal(0, allocated);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Client sends 32 frames, the port receives them and transmits them straight back, the client receives them.
    private static long Rounds(MemifPort port, MemifClient client, byte[] frame, FrameDescriptor[] burst, byte[] buffer, int[] lengths, int rounds)
    {
        long moved = 0;
        for (int i = 0; i < rounds; i++)
        {
            client.SendRepeated(frame, 32);
            int n = port.Receive(burst);
            port.Transmit(burst.AsSpan(0, n));
            moved += client.Receive(buffer, lengths);
        }
        return moved;
    }
}
