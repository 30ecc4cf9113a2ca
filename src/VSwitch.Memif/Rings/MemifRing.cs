using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VSwitch.Memif.Protocol;

namespace VSwitch.Memif.Rings;

/// <summary>One memif ring in shared memory, seen through a pointer to its header.</summary>
/// <remarks>
/// <para>Layout (memif 2.0): cookie u32 @0, flags u16 @4, head u16 @6 in the first cache line,
/// tail u16 @64 in the second (so producer and consumer never write the same line), descriptors
/// of 16 bytes from @128. The client writes head, the server writes tail, the receiver writes the
/// flags.</para>
/// <para>Counters are read with acquire and written with release semantics
/// (<see cref="Volatile"/>): the producer writes descriptors and data, then publishes the counter;
/// the consumer reads the counter, then the descriptors. The peer may change any byte at any time,
/// so a descriptor is read once into a local (<see cref="Read"/>) and judged on that copy.</para>
/// </remarks>
public readonly unsafe struct MemifRing
{
    private readonly byte* _header;

    public MemifRing(byte* header, int log2Size)
    {
        _header = header;
        Size = 1 << log2Size;
        Mask = Size - 1;
    }

    public int Size { get; }
    public int Mask { get; }

    public uint Cookie
    {
        get => Volatile.Read(ref *(uint*)_header);
        set => Volatile.Write(ref *(uint*)_header, value);
    }

    public ushort Flags
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref *(ushort*)(_header + 4));
        set => Volatile.Write(ref *(ushort*)(_header + 4), value);
    }

    public ushort Head
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref *(ushort*)(_header + 6));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => Volatile.Write(ref *(ushort*)(_header + 6), value);
    }

    public ushort Tail
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref *(ushort*)(_header + 64));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => Volatile.Write(ref *(ushort*)(_header + 64), value);
    }

    /// <summary>The descriptor at a counter's slot, for writing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref MemifDescriptor At(ushort counter) =>
        ref *(MemifDescriptor*)(_header + MemifConstants.RingHeaderSize + (counter & Mask) * MemifConstants.DescriptorSize);

    /// <summary>A copy of the descriptor at a counter's slot: what the peer wrote, read once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public MemifDescriptor Read(ushort counter) => At(counter);
}

/// <summary>A ring descriptor: flags u16, region u16, length u32, offset u32, metadata u32.</summary>
[StructLayout(LayoutKind.Sequential, Size = MemifConstants.DescriptorSize)]
public struct MemifDescriptor
{
    public ushort Flags;
    public ushort Region;
    public uint Length;
    public uint Offset;
    public uint Metadata;
}
