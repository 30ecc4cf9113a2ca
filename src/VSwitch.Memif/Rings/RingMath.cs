using System.Runtime.CompilerServices;
using VSwitch.Memif.Protocol;

namespace VSwitch.Memif.Rings;

/// <summary>The arithmetic of memif's free-running u16 ring counters.</summary>
/// <remarks>
/// head and tail only ever grow and wrap at 65536; a slot is <c>counter &amp; (size - 1)</c> and
/// the number of slots between two counters is their difference taken modulo 65536. A ring holds
/// at most 2^14 slots, so the difference of two honest counters never exceeds the size; a larger
/// one comes from a broken or hostile peer, and every count read from shared memory is clamped to
/// the ring size before it bounds a loop.
/// </remarks>
public static class RingMath
{
    /// <summary>Slots from <paramref name="from"/> up to <paramref name="to"/>, modulo 2^16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Distance(ushort from, ushort to) => (ushort)(to - from);

    /// <summary><see cref="Distance"/>, but never more than <paramref name="size"/> (a peer's counter is not trusted).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ClampedDistance(ushort from, ushort to, int size)
    {
        int d = (ushort)(to - from);
        return d <= size ? d : size;
    }

    /// <summary>True when <paramref name="from"/> to <paramref name="to"/> spans more than a ring: the peer broke the protocol.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Overruns(ushort from, ushort to, int size) => (ushort)(to - from) > size;

    /// <summary>Slots a producer may still fill: size minus what is in flight (clamped to 0..size).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Free(ushort produced, ushort consumed, int size)
    {
        int inFlight = (ushort)(produced - consumed);
        return inFlight >= size ? 0 : size - inFlight;
    }

    /// <summary>The ring slot a counter points at.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Slot(ushort counter, int mask) => counter & mask;

    /// <summary>Bytes a ring of 2^<paramref name="log2Size"/> descriptors takes: the header and the descriptors.</summary>
    public static long RingBytes(int log2Size) => MemifConstants.RingHeaderSize + ((long)MemifConstants.DescriptorSize << log2Size);
}

