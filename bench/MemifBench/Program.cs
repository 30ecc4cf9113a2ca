using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using VSwitch.Daemon.Ports.Memif;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Memif.Client;
using VSwitch.Memif.Protocol;

// MemifBench: frames per second from memif id 0 to memif id 1 through a peer.
//
//   MemifBench vswitch [SIZE] [SECONDS]          VSwitch in this process: two memif server ports on a
//                                                temp socket, its loop busy-polling on its own thread
//   MemifBench attach SOCKET [SIZE] [SECONDS]    a peer already serving ids 0 and 1 on SOCKET (a running
//                                                vswitchd, or testpmd with two memif vdevs in io mode)
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

InProcessSwitch? sw = null;
if (mode == "vswitch")
{
    sw = new InProcessSwitch();
    socket = sw.SocketPath;
}
else if (mode != "attach")
{
    Console.Error.WriteLine("usage: MemifBench vswitch [SIZE] [SECONDS] | MemifBench attach SOCKET [SIZE] [SECONDS]");
    return 2;
}

Affinity.PinCurrentThread(1);
try
{
    using MemifClient tx = MemifClient.Connect(socket!, 0, "bench-tx");
    using MemifClient rx = MemifClient.Connect(socket!, 1, "bench-rx");
    byte[] frame = Frame(size - 4, 0x02_00_00_00_00_0a, 0x02_00_00_00_00_0b);
    // The switch learns B on id 1 from one frame B sends; from then on A's frames go to id 1 only.
    rx.Send(Frame(60, 0x02_00_00_00_00_0b, 0x02_00_00_00_00_0a));
    var buffer = new byte[32 * 2048 * 2];
    var lengths = new int[64];

    Run(tx, rx, frame, buffer, lengths, TimeSpan.FromSeconds(1), out _, out _);
    long allocated = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    Run(tx, rx, frame, buffer, lengths, TimeSpan.FromSeconds(seconds), out long sent, out long received);
    double elapsed = clock.Elapsed.TotalSeconds;
    allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"peer={(mode == "vswitch" ? "vswitch" : tx.PeerName.Replace(' ', '_'))} size={size} mpps={received / elapsed / 1e6:F3} sent={sent} received={received} alloc-bytes-per-frame={(double)allocated / Math.Max(1, received):F3}"));
    return 0;
}
finally
{
    sw?.Dispose();
}

static void Run(MemifClient tx, MemifClient rx, byte[] frame, byte[] buffer, int[] lengths, TimeSpan duration, out long sent, out long received)
{
    sent = received = 0;
    long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    int round = 0;
    while (true)
    {
        sent += tx.SendRepeated(frame, 32);
        received += rx.Receive(buffer, lengths);
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

/// <summary>VSwitch's forwarding loop with two memif server ports (ids 0 and 1 on one temp socket),
/// busy-polling on a thread of its own, as <c>vswitchd --idle spin</c> runs it.</summary>
internal sealed class InProcessSwitch : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly FramePool _pool = new(4096, 2048);
    private readonly MemifPort[] _ports;
    private readonly string _dir = Directory.CreateTempSubdirectory("memifbench").FullName;

    public InProcessSwitch()
    {
        SocketPath = Path.Combine(_dir, "memif.sock");
        var loop = new ForwardingLoop(_pool, MonotonicClock.Instance, new SwitchOptions { Idle = IdlePolicy.BusyPoll });
        _ports = [new MemifPort("m0", new MemifPortOptions(SocketPath, 0), _pool), new MemifPort("m1", new MemifPortOptions(SocketPath, 1), _pool)];
        foreach (MemifPort p in _ports) loop.AddPort(p);
        _thread = new Thread(() =>
        {
            Affinity.PinCurrentThread(0);
            loop.Run(_stop.Token);
        }) { IsBackground = true, Name = "forwarding" };
        _thread.Start();
    }

    public string SocketPath { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        foreach (MemifPort p in _ports) p.Dispose();
        _pool.Dispose();
        Directory.Delete(_dir, recursive: true);
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
