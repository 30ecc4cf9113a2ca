using VSwitch.Memif.Session;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;
using VSwitch.Memif.Shared;
using VSwitch.Linux;

namespace VSwitch.Tests.Memif;

/// <summary>Both ends of a memif link in one process, without sockets: a client's region laid out as
/// <see cref="ClientLayout"/>, mapped a second time for the server, and the four queues.</summary>
internal sealed unsafe class MemifTestLink : IDisposable
{
    private readonly RegionTable _client = new();
    private readonly RegionTable _server = new();

    public MemifTestLink(int log2 = 4, uint bufferSize = 256)
    {
        Layout = new ClientLayout(log2, bufferSize);
        MemifRegion region = MemifRegion.Create("test", Layout.RegionSize);
        Layout.Initialize(region.Address);
        _client.Add(region);
        // The server maps its own view through the same checks a peer's descriptor goes through.
        MemifRegion mapped = MemifRegion.TryMap(LibC.Dup(region.Fd), Layout.RegionSize, out string? error)
            ?? throw new InvalidOperationException(error);
        _server.Add(mapped);
        C2S = new MemifRing(mapped.Address + ClientLayout.C2SRingOffset, log2);
        S2C = new MemifRing(mapped.Address + Layout.S2CRingOffset, log2);
        ClientTx = new MemifQueue(new MemifRing(region.Address + ClientLayout.C2SRingOffset, log2), _client, MemifRole.Client, true, -1, Layout.C2SBuffersOffset, bufferSize);
        ClientRx = new MemifQueue(new MemifRing(region.Address + Layout.S2CRingOffset, log2), _client, MemifRole.Client, false, -1, Layout.S2CBuffersOffset, bufferSize);
        ServerRx = new MemifQueue(C2S, _server, MemifRole.Server, true, -1);
        ServerTx = new MemifQueue(S2C, _server, MemifRole.Server, false, -1);
        ServerRx.Reset(true);
        ServerTx.Reset(true);
        ClientTx.Reset(true);
        ClientRx.Reset(true);
    }

    public ClientLayout Layout { get; }
    public MemifRing C2S { get; }
    public MemifRing S2C { get; }
    public MemifQueue ClientTx { get; }
    public MemifQueue ClientRx { get; }
    public MemifQueue ServerRx { get; }
    public MemifQueue ServerTx { get; }

    public static int Send(MemifQueue tx, params byte[][] frames)
    {
        tx.BeginTransmit();
        int sent = 0;
        foreach (byte[] f in frames)
        {
            fixed (byte* p = f)
            {
                if (!tx.WriteFrame(p, f.Length)) break;
            }
            sent++;
        }
        tx.EndTransmit(sent > 0);
        return sent;
    }

    /// <summary>Everything waiting, as byte arrays; a dropped (bad) frame appears as null.</summary>
    public static List<byte[]?> ReceiveAll(MemifQueue rx, int capacity = 65536)
    {
        var frames = new List<byte[]?>();
        var buffer = new byte[capacity];
        rx.BeginReceive();
        fixed (byte* p = buffer)
        {
            while (true)
            {
                int n = rx.ReadFrame(p, capacity);
                if (n == -1) break;
                frames.Add(n < 0 ? null : buffer[..n]);
            }
        }
        rx.EndReceive();
        return frames;
    }

    public static byte[] Frame(int length, int seed)
    {
        var f = new byte[length];
        for (int i = 0; i < length; i++) f[i] = (byte)(seed + i * 7);
        return f;
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }
}
