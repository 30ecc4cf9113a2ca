using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VSwitch.Datapath.Buffers;

/// <summary>
/// Fixed-size frame slots in one native block, rented and returned by slot number.
/// </summary>
/// <remarks>
/// <para>Every frame the switch handles lives in a slot of this pool from the moment a port
/// receives it until a port transmits or drops it; the datapath passes
/// <see cref="FrameDescriptor"/>s, never copies of the bytes. The block is allocated once, outside
/// the GC heap, so the collector never scans or moves frame memory, and ports that talk to the
/// kernel can hand it slot addresses directly.</para>
/// <para>Slots are sized for the largest frame any port may deliver (64 KiB segmentation-offload
/// frames) plus <see cref="Headroom"/>. The operating system commits the pages of a slot only
/// when they are first touched, so a large slot costs address space, not memory, for the small
/// frames that are the common case.</para>
/// <para>Not thread-safe: the forwarding loop is the only thread that rents and returns.</para>
/// </remarks>
public sealed unsafe class FramePool : IDisposable
{
    /// <summary>Bytes kept free before a received frame so a VLAN tag can be pushed in place.</summary>
    public const int Headroom = 64;

    /// <summary>Largest frame a port may place in a slot: a 64 KiB GSO frame with its headers.</summary>
    public const int DefaultFrameCapacity = 65536 + 128;

    private readonly byte* _block;
    private readonly int[] _free;
    private readonly FrameOffload[] _offloads;
    private readonly bool[] _rented;
    private int _freeCount;

    /// <param name="slotCount">Number of slots; bounds the frames in flight.</param>
    /// <param name="frameCapacity">Largest frame a slot must hold, headroom excluded.</param>
    public FramePool(int slotCount, int frameCapacity = DefaultFrameCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCapacity, 64);
        // Slots start on cache-line boundaries so two slots never share a line.
        SlotSize = (Headroom + frameCapacity + 63) & ~63;
        FrameCapacity = SlotSize - Headroom;
        SlotCount = slotCount;
        _block = (byte*)NativeMemory.AlignedAlloc((nuint)slotCount * (nuint)SlotSize, 4096);
        _free = new int[slotCount];
        _rented = new bool[slotCount];
        _offloads = new FrameOffload[slotCount];
        for (int i = 0; i < slotCount; i++) _free[i] = slotCount - 1 - i;
        _freeCount = slotCount;
    }

    public int SlotCount { get; }

    /// <summary>Bytes per slot, headroom included.</summary>
    public int SlotSize { get; }

    /// <summary>Largest frame a slot holds when it starts at <see cref="Headroom"/>.</summary>
    public int FrameCapacity { get; }

    /// <summary>Slots free right now.</summary>
    public int Available => _freeCount;

    /// <summary>Takes a free slot; false when every slot is in flight (the caller drops and counts).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRent(out int slot)
    {
        if (_freeCount == 0)
        {
            slot = -1;
            return false;
        }
        slot = _free[--_freeCount];
        _rented[slot] = true;
        return true;
    }

    /// <summary>Gives a slot back. Returning a slot twice is a programming error and throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Return(int slot)
    {
        if ((uint)slot >= (uint)SlotCount || !_rented[slot]) ThrowHelper.ThrowDoubleReturn(slot);
        _rented[slot] = false;
        _free[_freeCount++] = slot;
    }

    /// <summary>The whole slot, headroom included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Slot(int slot)
    {
        if ((uint)slot >= (uint)SlotCount) ThrowHelper.ThrowSlotOutOfRange(slot);
        return new Span<byte>(_block + (nint)slot * SlotSize, SlotSize);
    }

    /// <summary>The bytes of the frame a descriptor points at.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Frame(in FrameDescriptor frame) => Slot(frame.Slot).Slice(frame.Offset, frame.Length);

    /// <summary>The offload facts of the frame in a slot; meaningful only when the descriptor's
    /// <see cref="FrameFlags"/> say so.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref FrameOffload Offload(int slot) => ref _offloads[slot];

    /// <summary>The native address of a slot, for ports that hand it to the kernel.</summary>
    public byte* SlotAddress(int slot) => _block + (nint)slot * SlotSize;

    public void Dispose()
    {
        NativeMemory.AlignedFree(_block);
        GC.SuppressFinalize(this);
    }
}
