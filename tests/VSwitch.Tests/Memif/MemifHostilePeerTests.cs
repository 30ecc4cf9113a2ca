using VSwitch.Memif.Control;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;
using VSwitch.Memif.Session;
using VSwitch.Memif.Shared;
using VSwitch.Linux;

namespace VSwitch.Tests.Memif;

/// <summary>A peer that sends anything at all: seeded random handshakes and random ring contents.
/// The server must refuse or cope, never throw, and never touch memory outside the peer's region
/// (which would crash the test process rather than fail it: the regions are bare mappings).</summary>
public class MemifHostilePeerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public unsafe void ServerHandshake_RandomAndMutatedMessages_RefusesWithAReasonAndNeverThrows(int seed)
    {
        var random = new Random(seed);
        int connected = 0, failed = 0;
        int* pair = stackalloc int[2];
        for (int session = 0; session < 300; session++)
        {
            Assert.Equal(0, LibC.SocketPair(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0, pair));
            using var peer = new ControlChannel(pair[1]);
            var handshake = new ServerHandshake(new ControlChannel(pair[0]), "vswitch", "hostile");
            var regions = new List<MemifRegion>();
            HandshakeStatus status = HandshakeStatus.InProgress;
            for (int step = 0; step < 6 && status == HandshakeStatus.InProgress; step++)
            {
                byte[] m = Message(random, step, out int fd, regions);
                if (!MemifMessage.TryRead(m, out MemifMessage message))
                {
                    if (fd >= 0) LibC.Close(fd);
                    continue;
                }
                status = handshake.Handle(message, fd);
            }
            if (status == HandshakeStatus.Failed)
            {
                failed++;
                Assert.False(string.IsNullOrEmpty(handshake.Error));
            }
            if (status == HandshakeStatus.Connected)
            {
                connected++;
                using MemifConnection c = handshake.Connection!;
                Churn(c.Rx, c.Tx, random);
            }
            else
            {
                handshake.Dispose();
            }
            foreach (MemifRegion r in regions) r.Dispose();
        }
        // The generator makes good handshakes often enough that both outcomes are exercised.
        Assert.True(connected > 0 && failed > 0, $"connected {connected}, failed {failed}");
    }

    // Mostly the messages of a real client, each field mutated now and then, sometimes pure noise.
    private static byte[] Message(Random random, int step, out int fd, List<MemifRegion> regions)
    {
        var m = new byte[128];
        fd = -1;
        var layout = new ClientLayout(random.Next(1, 7), (uint)(128 << random.Next(0, 3)));
        switch (random.Next(10) == 0 ? random.Next(8) : step)
        {
            case 0:
            {
                ulong size = random.Next(8) == 0 ? (ulong)random.NextInt64(0, 1L << 31) : layout.RegionSize;
                MemifMessageWriter.AddRegion(m, (ushort)(random.Next(8) == 0 ? random.Next(3) : 0), size);
                if (random.Next(8) != 0)
                {
                    // The announced size above may be larger than this file: the server must notice.
                    MemifRegion region = MemifRegion.Create("hostile", layout.RegionSize);
                    unsafe
                    {
                        layout.Initialize(region.Address);
                    }
                    regions.Add(region);
                    fd = LibC.Dup(region.Fd);
                }
                break;
            }
            case 1 or 2:
            {
                bool c2s = step == 1 ? random.Next(8) != 0 : random.Next(8) == 0;
                uint offset = random.Next(6) switch
                {
                    0 => (uint)random.Next(),
                    1 => uint.MaxValue - (uint)random.Next(256),
                    _ => c2s ? ClientLayout.C2SRingOffset : layout.S2CRingOffset,
                };
                MemifMessageWriter.AddRing(m, c2s, (ushort)(random.Next(10) == 0 ? 1 : 0), (ushort)(random.Next(10) == 0 ? 1 : 0), offset,
                    (byte)(random.Next(10) == 0 ? random.Next(16) : layout.Log2RingSize), (ushort)(random.Next(10) == 0 ? 8 : 0));
                if (random.Next(10) != 0) fd = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
                break;
            }
            case 3:
                MemifMessageWriter.Connect(m, "hostile0");
                break;
            default:
                random.NextBytes(m);
                m[1] = 0;
                m[0] = (byte)random.Next(10);
                break;
        }
        return m;
    }

    // Random descriptors and counters in both rings, then the server's receive and transmit paths.
    private static unsafe void Churn(MemifQueue rx, MemifQueue tx, Random random)
    {
        byte* frame = stackalloc byte[9216];
        for (int round = 0; round < 50; round++)
        {
            foreach (MemifQueue q in (MemifQueue[])[rx, tx])
            {
                MemifRing ring = q.Ring;
                for (int i = 0; i < ring.Size; i++)
                {
                    ref MemifDescriptor d = ref ring.At((ushort)i);
                    d.Flags = (ushort)random.Next(4);
                    d.Region = (ushort)random.Next(3);
                    d.Length = random.Next(4) == 0 ? (uint)random.Next() : (uint)random.Next(4096);
                    d.Offset = random.Next(4) == 0 ? (uint)random.Next() : (uint)random.Next(1 << 16);
                }
                ring.Head = (ushort)random.Next(65536);
            }
            rx.BeginReceive();
            while (rx.ReadFrame(frame, 9216) != -1)
            {
            }
            rx.EndReceive();
            tx.BeginTransmit();
            for (int i = 0; i < 40; i++) tx.WriteFrame(frame, random.Next(14, 9216));
            tx.EndTransmit(true);
        }
    }
}
