using System.Runtime.CompilerServices;

namespace VSwitch.Memif.Shared;

/// <summary>The regions of one connection, by index, with the bounds check every buffer access goes through.</summary>
/// <remarks>A descriptor names a region and an offset the peer chose; <see cref="Resolve"/> returns
/// a pointer only when <c>[offset, offset + length)</c> lies inside that region, and null
/// otherwise, so a bad descriptor costs its frame, never a stray read or write.</remarks>
public sealed unsafe class RegionTable : IDisposable
{
    /// <summary>Most regions a peer may add (the HELLO's max_region is this minus one).</summary>
    public const int MaxRegions = 4;

    private readonly MemifRegion?[] _regions = new MemifRegion?[MaxRegions];
    private readonly byte*[] _bases = new byte*[MaxRegions];
    private readonly ulong[] _sizes = new ulong[MaxRegions];

    public int Count { get; private set; }

    public MemifRegion this[int index] => _regions[index]!;

    public void Add(MemifRegion region)
    {
        if (Count == MaxRegions) throw new InvalidOperationException("region table full");
        _regions[Count] = region;
        _bases[Count] = region.Address;
        _sizes[Count] = region.Size;
        Count++;
    }

    /// <summary>True when <c>[offset, offset + length)</c> lies inside region <paramref name="region"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(int region, ulong offset, ulong length) =>
        (uint)region < (uint)Count && offset <= _sizes[region] && length <= _sizes[region] - offset;

    /// <summary>The address of <c>[offset, offset + length)</c> in region <paramref name="region"/>, or null when it is not inside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Resolve(int region, uint offset, uint length) =>
        Contains(region, offset, length) ? _bases[region] + offset : null;

    public void Dispose()
    {
        for (int i = 0; i < Count; i++)
        {
            _regions[i]!.Dispose();
            _regions[i] = null;
            _bases[i] = null;
        }
        Count = 0;
    }
}
