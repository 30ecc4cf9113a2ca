using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;
using VSwitch.Memif.Shared;

namespace VSwitch.Memif.Session;

/// <summary>How a client lays out its one region: the C2S ring, the S2C ring, then 2 x 2^log2 buffers
/// (the C2S ring's first). DPDK's layout, with the buffers aligned to a cache line.</summary>
public readonly record struct ClientLayout(int Log2RingSize, uint BufferSize)
{
    public int RingSize => 1 << Log2RingSize;
    public uint RingBytes => (uint)RingMath.RingBytes(Log2RingSize);
    public const uint C2SRingOffset = 0;
    public uint S2CRingOffset => RingBytes;
    public uint C2SBuffersOffset => (2 * RingBytes + 63) & ~63u;
    public uint S2CBuffersOffset => C2SBuffersOffset + (uint)RingSize * BufferSize;
    public ulong RegionSize => S2CBuffersOffset + (ulong)RingSize * BufferSize;

    /// <summary>Writes both ring headers (counters 0, cookie) and points every descriptor at its buffer.</summary>
    public unsafe void Initialize(byte* region)
    {
        for (int r = 0; r < 2; r++)
        {
            var ring = new MemifRing(region + (r == 0 ? C2SRingOffset : S2CRingOffset), Log2RingSize);
            ring.Head = 0;
            ring.Tail = 0;
            ring.Flags = 0;
            uint buffers = r == 0 ? C2SBuffersOffset : S2CBuffersOffset;
            for (int i = 0; i < RingSize; i++)
            {
                ref MemifDescriptor d = ref ring.At((ushort)i);
                d = default;
                d.Length = BufferSize;
                d.Offset = buffers + (uint)i * BufferSize;
            }
            ring.Cookie = MemifConstants.Cookie;
        }
    }
}
