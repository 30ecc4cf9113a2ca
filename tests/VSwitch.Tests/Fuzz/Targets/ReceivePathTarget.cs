using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;
using VSwitch.Tests.CrossCheck;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Tests.Fuzz.Targets;

/// <summary>
/// One frame through the whole receive path of a real <see cref="ForwardingLoop"/>: ingress
/// checks, learning, the peephole (ARP, ND and DNS answered from the dns-answers tables, zone
/// cluster.local), lookup and egress.
/// </summary>
/// <remarks>
/// <para>Input: one control byte, then the frame. Control bits 0-1 pick the ingress port (p1
/// and p2 are access ports on VLAN 1, p3 a trunk of VLANs 1 and 10; 3 means p1). Bit 2 asks for
/// the IPv4 header, UDP and ICMPv6 checksums to be recomputed before the frame goes in, so that a
/// mutation reaches the DNS, ARP and ND readers instead of stopping at a checksum: no engine
/// finds a 16-bit checksum by chance.</para>
/// <para>Invariants checked after every input: every frame slot is back in the pool, and no port
/// holds a frame the loop did not send. The optional observer sees each frame the switch sent, so
/// that the CI run can judge replies with parsers we did not write.</para>
/// </remarks>
public sealed class ReceivePathTarget : IFuzzTarget, IDisposable
{
    public const byte FixChecksums = 0x04;

    private readonly FramePool _pool;
    private readonly MemoryPort[] _ports;
    private readonly Action<byte[], int, int, byte[]>? _observe;

    // A millisecond per input: inside the default reply rate limit, and long runs see MAC addresses age.
    private readonly ManualClock _clock = new();

    /// <param name="observe">Called with (frame sent in, ingress port index, egress port index, frame sent out) for every frame that left.</param>
    public ReceivePathTarget(Action<byte[], int, int, byte[]>? observe = null)
    {
        string dir = Path.Combine(SeedCorpus.Captures, "peephole", "dns-answers");
        var settings = new DnsSettings { Zones = ["cluster.local"], Ttl = 60 };
        PeepholeTables tables = TableFiles.Load(Path.Combine(dir, "hosts"), Path.Combine(dir, "ethers"), settings, out var errors)
            ?? throw new InvalidDataException("the dns-answers tables do not load: " + string.Join("; ", errors));
        _observe = observe;
        // Slots as large as a jumbo frame: enough for anything a fuzzer sends, small enough to stay cheap.
        _pool = new FramePool(64, 16384);
        Loop = new ForwardingLoop(_pool, _clock);
        Loop.Peephole.Binding = TableBinding.For(tables, [VlanMode.DefaultVlan]);
        _ports = [new MemoryPort("p1", _pool), new MemoryPort("p2", _pool), new MemoryPort("p3", _pool)];
        Loop.AddPort(_ports[0]);
        Loop.AddPort(_ports[1]);
        Loop.AddPort(_ports[2], new PortConfig(VlanMode.Trunk([1, 10])));
    }

    public ForwardingLoop Loop { get; }

    /// <summary>The input for <paramref name="frame"/> entering by port <paramref name="port"/> (0-2).</summary>
    public static byte[] Input(int port, byte[] frame, bool fixChecksums = true) =>
        [(byte)(port | (fixChecksums ? FixChecksums : 0)), .. frame];

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return;
        int inPort = (input[0] & 3) % 3;
        byte[] frame = input[1..].ToArray();
        if ((input[0] & FixChecksums) != 0) Wire.FixChecksums(frame);

        _ports[inPort].Enqueue(frame);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Loop.RunOnce();
        if (_ports[inPort].Pending != 0) throw new FuzzInvariantException("the loop left a received frame in its port");
        for (int p = 0; p < _ports.Length; p++)
        {
            List<byte[]> sent = _ports[p].Sent;
            if (_observe is not null)
            {
                foreach (byte[] emitted in sent) _observe(frame, inPort, p, emitted);
            }
            sent.Clear();
        }
        if (_pool.Available != _pool.SlotCount)
            throw new FuzzInvariantException($"{_pool.SlotCount - _pool.Available} frame slot(s) still rented after the burst");
    }

    public void Dispose() => _pool.Dispose();
}
