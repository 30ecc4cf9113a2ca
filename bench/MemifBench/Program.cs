using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using VSwitch.Daemon.Ports.AfPacket;
using VSwitch.Daemon.Ports.Memif;
using VSwitch.Daemon.Ports.Tap;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Memif.Client;
using VSwitch.Memif.Protocol;

// MemifBench: frames per second from memif id 0 to memif id 1 through a peer.
//
//   MemifBench vswitch [SIZE] [SECONDS]          VSwitch in this process: two memif server ports on a
//                                                temp socket, its loop busy-polling on its own thread
//   MemifBench attach SOCKET [SIZE] [SECONDS]    a peer already serving ids 0 and 1 on SOCKET (a running
//                                                vswitchd, or testpmd with two memif vdevs in io mode)
//   MemifBench tap|afpacket [SIZE] [SECONDS]     the same through VSwitch between two TAP ports
//                                                (vsmt0, vsmt1) or two AF_PACKET ports on veth pairs
//                                                (vsmb0/vsmb0h, vsmb1/vsmb1h), the traffic sent and
//                                                received by AF_PACKET sockets on the kernel sides
//
// The client sends bursts of 32 copies of one IPv4/UDP frame of SIZE bytes (64, 512, 1500; the FCS
// counted, as line rates are) from MAC A on id 0 and receives on id 1, in turn, on this one thread.
// After a one-second warm-up it counts the frames received for SECONDS and prints one line:
//   peer=... size=64 mpps=5.123 sent=... received=... alloc-bytes-per-frame=0.000
// Allocation is measured over the whole process (client and in-process switch) during the count.
// Threads are pinned as testpmd's are (--lcores=0@1,1@0): the middle's forwarding thread on CPU 0,
// the client on CPU 1, so the two never share a core and take turns by time slice.

string mode = args.Length > 0 ? args[0] : "vswitch";
int argi = 1;
string? socket = mode == "attach" ? args[argi++] : null;
int size = args.Length > argi ? int.Parse(args[argi++], CultureInfo.InvariantCulture) : 64;
double seconds = args.Length > argi ? double.Parse(args[argi], CultureInfo.InvariantCulture) : 5;
if (mode is not ("vswitch" or "attach" or "tap" or "afpacket"))
{
    Console.Error.WriteLine("usage: MemifBench vswitch|tap|afpacket [SIZE] [SECONDS] | MemifBench attach SOCKET [SIZE] [SECONDS]");
    return 2;
}

byte[] frame = Frame(size - 4, 0x02_00_00_00_00_0a, 0x02_00_00_00_00_0b);
byte[] fromB = Frame(60, 0x02_00_00_00_00_0b, 0x02_00_00_00_00_0a);
var veths = new List<string>();
InProcessSwitch? sw = null;
ITrafficEnds? ends = null;
try
{
    switch (mode)
    {
        case "vswitch":
            sw = InProcessSwitch.Memif();
            socket = sw.SocketPath;
            goto case "attach";
        case "attach":
            Affinity.PinCurrentThread(1);
            ends = new MemifEnds(socket!);
            break;
        case "tap":
            sw = InProcessSwitch.Kernel(pool => [new TapPort("vsmt0", pool), new TapPort("vsmt1", pool)]);
            Affinity.PinCurrentThread(1);
            ends = new KernelEnds("vsmt0", "vsmt1");
            break;
        case "afpacket":
            foreach (string v in (string[])["vsmb0", "vsmb1"])
            {
                Sh("ip", "link", "add", v, "type", "veth", "peer", "name", v + "h");
                veths.Add(v);
                Sh("ip", "link", "set", v, "up");
                Sh("ip", "link", "set", v + "h", "up");
            }
            sw = InProcessSwitch.Kernel(pool => [new AfPacketPort("vsmb0", pool), new AfPacketPort("vsmb1", pool)]);
            Affinity.PinCurrentThread(1);
            ends = new KernelEnds("vsmb0h", "vsmb1h");
            break;
    }
    // The switch learns B on the second port from one frame B sends; from then on A's frames go there only.
    ends!.SendFromReceiver(fromB);
    Thread.Sleep(100);

    Run(ends, frame, TimeSpan.FromSeconds(1), out _, out _);
    long allocated = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    Run(ends, frame, TimeSpan.FromSeconds(seconds), out long sent, out long received);
    double elapsed = clock.Elapsed.TotalSeconds;
    allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"peer={(mode == "attach" ? ends.PeerName : mode)} size={size} mpps={received / elapsed / 1e6:F3} sent={sent} received={received} alloc-bytes-per-frame={(double)allocated / Math.Max(1, received):F3}"));
    return 0;
}
finally
{
    ends?.Dispose();
    sw?.Dispose();
    foreach (string v in veths) Sh("ip", "link", "del", v);
}

static void Sh(params string[] command)
{
    var psi = new ProcessStartInfo(command[0]);
    foreach (string a in command[1..]) psi.ArgumentList.Add(a);
    using Process p = Process.Start(psi)!;
    p.WaitForExit();
}

static void Run(ITrafficEnds ends, byte[] frame, TimeSpan duration, out long sent, out long received)
{
    sent = received = 0;
    long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    int round = 0;
    while (true)
    {
        sent += ends.Send(frame, 32);
        received += ends.Receive();
        if ((++round & 255) == 0 && Stopwatch.GetTimestamp() > end) break;
    }
}

// IPv4/UDP from A (198.18.0.10) to B (198.18.0.11), LENGTH bytes without the FCS.
static byte[] Frame(int length, ulong from, ulong to)
{
    var f = new byte[length];
    for (int i = 0; i < 6; i++)
    {
        f[i] = (byte)(to >> (40 - 8 * i));
        f[6 + i] = (byte)(from >> (40 - 8 * i));
    }
    BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
    f[14] = 0x45;
    BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), (ushort)(length - 14));
    f[22] = 64;
    f[23] = 17;
    BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(26), 0xC612000A);
    BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(30), 0xC612000B);
    BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(34), 40000);
    BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(36), 9);
    BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(38), (ushort)(length - 34));
    return f;
}

/// <summary>VSwitch's forwarding loop with two ports, busy-polling on a thread of its own (pinned to
/// CPU 0), as <c>vswitchd --idle spin</c> runs it.</summary>
internal sealed class InProcessSwitch : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly FramePool _pool;
    private readonly IPort[] _ports;
    private readonly string? _dir;

    private InProcessSwitch(FramePool pool, Func<FramePool, IPort[]> ports, string? dir, string? socket)
    {
        _pool = pool;
        _dir = dir;
        SocketPath = socket;
        _ports = ports(pool);
        var loop = new ForwardingLoop(_pool, MonotonicClock.Instance, new SwitchOptions { Idle = IdlePolicy.BusyPoll });
        foreach (IPort p in _ports) loop.AddPort(p);
        _thread = new Thread(() =>
        {
            Affinity.PinCurrentThread(0);
            loop.Run(_stop.Token);
        }) { IsBackground = true, Name = "forwarding" };
        _thread.Start();
    }

    /// <summary>Two memif server ports, ids 0 and 1 on one socket in a temp directory.</summary>
    public static InProcessSwitch Memif()
    {
        string dir = Directory.CreateTempSubdirectory("memifbench").FullName;
        string socket = Path.Combine(dir, "memif.sock");
        return new InProcessSwitch(new FramePool(4096, 2048),
            pool => [new MemifPort("m0", new MemifPortOptions(socket, 0), pool), new MemifPort("m1", new MemifPortOptions(socket, 1), pool)], dir, socket);
    }

    /// <summary>Two kernel ports; their pool has the full slot size, since they may carry 64 KiB offload frames.</summary>
    public static InProcessSwitch Kernel(Func<FramePool, IPort[]> ports) => new(new FramePool(4096), ports, null, null);

    public string? SocketPath { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        foreach (IPort p in _ports) p.Dispose();
        _pool.Dispose();
        if (_dir is not null) Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>Where the traffic enters and leaves the middle: one sender, one receiver, one thread.</summary>
internal interface ITrafficEnds : IDisposable
{
    string PeerName { get; }
    int Send(byte[] frame, int count);
    int Receive();
    void SendFromReceiver(byte[] frame);
}

internal sealed class MemifEnds(string socket) : ITrafficEnds
{
    private readonly MemifClient _tx = MemifClient.Connect(socket, 0, "bench-tx");
    private readonly MemifClient _rx = MemifClient.Connect(socket, 1, "bench-rx");
    private readonly byte[] _buffer = new byte[64 * 2048];
    private readonly int[] _lengths = new int[64];

    public string PeerName => _tx.PeerName.Replace(' ', '_');
    public int Send(byte[] frame, int count) => _tx.SendRepeated(frame, count);
    public int Receive() => _rx.Receive(_buffer, _lengths);
    public void SendFromReceiver(byte[] frame) => _rx.Send(frame);

    public void Dispose()
    {
        _tx.Dispose();
        _rx.Dispose();
    }
}

internal sealed class KernelEnds(string sendOn, string receiveOn) : ITrafficEnds
{
    private readonly PacketSocket _tx = new(sendOn);
    private readonly PacketSocket _rx = new(receiveOn);

    public string PeerName => "kernel";
    public int Send(byte[] frame, int count) => _tx.SendRepeated(frame, count);
    public int Receive() => _rx.Receive();
    public void SendFromReceiver(byte[] frame) => _rx.SendRepeated(frame, 1);

    public void Dispose()
    {
        if (_tx.SendError != 0) Console.Error.WriteLine($"last send error: errno {_tx.SendError}");
        _tx.Dispose();
        _rx.Dispose();
    }
}

internal static unsafe partial class Affinity
{
    /// <summary>Runs the calling thread on <paramref name="cpu"/> only (if the machine has it).</summary>
    public static void PinCurrentThread(int cpu)
    {
        if (cpu >= Environment.ProcessorCount) return;
        ulong mask = 1UL << cpu;
        if (SchedSetAffinity(0, sizeof(ulong), &mask) != 0) Console.Error.WriteLine($"cannot pin a thread to CPU {cpu}; running unpinned");
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "sched_setaffinity")]
    private static partial int SchedSetAffinity(int pid, nuint size, ulong* mask);
}
