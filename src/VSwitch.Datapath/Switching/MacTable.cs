using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using VSwitch.Datapath.Counters;

namespace VSwitch.Datapath.Switching;

/// <summary>
/// The forwarding database: which port each (VLAN, MAC) was last seen on, with aging and a hard bound.
/// </summary>
/// <remarks>
/// <para>One flat array of entries, open addressing with linear probing, at most half full: a
/// lookup is one hash and, almost always, one cache line. Deletion shifts the following entries
/// of the probe run back (no tombstones), so the table never degrades with churn. The hash is
/// keyed with a random seed per table, so addresses crafted offline cannot pile into one run.</para>
/// <para>Aging is lazy and incremental: a lookup treats an entry older than the aging time as
/// absent and removes it, and <see cref="Sweep"/> visits a bounded number of slots per call so
/// that expired entries are removed (and counted) without a pause proportional to the table.</para>
/// <para>When <see cref="Count"/> reaches the bound, new addresses are not learned (counted as
/// table-full) until entries age out; existing entries are still refreshed and moved.</para>
/// <para>Single writer: only the forwarding loop calls the mutating methods.</para>
/// </remarks>
public sealed class MacTable
{
    public const int DefaultMaxEntries = 65536;
    public static readonly TimeSpan DefaultAging = TimeSpan.FromSeconds(300);

    // An occupied entry has this bit set in its key, so the all-zero entry means "empty" even
    // for the MAC 00:00:00:00:00:00 on VLAN 0.
    private const ulong OccupiedBit = 1UL << 63;

    private struct Entry
    {
        public ulong Key;
        public long LastSeen;
        public ushort Port;
    }

    private readonly Entry[] _entries;
    private readonly int _mask;
    private readonly ulong _seed;
    private readonly SwitchCounters _counters;
    private int _sweepCursor;

    public MacTable(SwitchCounters counters, int maxEntries = DefaultMaxEntries, TimeSpan? aging = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _counters = counters;
        MaxEntries = maxEntries;
        AgingNanoseconds = (aging ?? DefaultAging).Ticks * 100;
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, maxEntries * 2));
        _entries = new Entry[capacity];
        _mask = capacity - 1;
        _seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;
    }

    public int MaxEntries { get; }

    public long AgingNanoseconds { get; }

    public int Count { get; private set; }

    /// <summary>Records that <paramref name="mac"/> on <paramref name="vlan"/> was seen on <paramref name="port"/> at <paramref name="now"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Learn(ushort vlan, ulong mac, ushort port, long now)
    {
        ulong key = MakeKey(vlan, mac);
        int i = Find(key);
        if (i >= 0)
        {
            ref Entry e = ref _entries[i];
            if (IsExpired(e, now))
            {
                // The old entry is gone in meaning; this is a fresh learn.
                _counters.FdbAged++;
                _counters.FdbLearned++;
            }
            else if (e.Port != port)
            {
                _counters.FdbMoved++;
            }
            e.Port = port;
            e.LastSeen = now;
            return;
        }
        if (Count >= MaxEntries)
        {
            _counters.FdbTableFull++;
            return;
        }
        _entries[~i] = new Entry { Key = key, LastSeen = now, Port = port };
        Count++;
        _counters.FdbLearned++;
        _counters.FdbEntries = Count;
    }

    /// <summary>The port <paramref name="mac"/> on <paramref name="vlan"/> was last seen on, unless unknown or aged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(ushort vlan, ulong mac, long now, out ushort port)
    {
        int i = Find(MakeKey(vlan, mac));
        if (i >= 0)
        {
            if (!IsExpired(_entries[i], now))
            {
                port = _entries[i].Port;
                return true;
            }
            RemoveAt(i);
            _counters.FdbAged++;
        }
        port = 0;
        return false;
    }

    /// <summary>What the table holds for <paramref name="mac"/> on <paramref name="vlan"/>, changing nothing
    /// (no aging, no counter): for a trace.</summary>
    public MacEntryState Peek(ushort vlan, ulong mac, long now, out ushort port)
    {
        int i = Find(MakeKey(vlan, mac));
        port = i >= 0 ? _entries[i].Port : (ushort)0;
        return i < 0 ? (Count >= MaxEntries ? MacEntryState.UnknownTableFull : MacEntryState.Unknown)
            : IsExpired(_entries[i], now) ? MacEntryState.Expired : MacEntryState.Live;
    }

    // The key's slot, or the complement of the empty slot where it would go.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(ulong key)
    {
        int i = Home(key);
        while (true)
        {
            ulong k = _entries[i].Key;
            if (k == key) return i;
            if (k == 0) return ~i;
            i = (i + 1) & _mask;
        }
    }

    /// <summary>Removes expired entries among the next <paramref name="slots"/> slots; call once per loop round.</summary>
    public void Sweep(long now, int slots)
    {
        for (int n = 0; n < slots; n++)
        {
            int i = _sweepCursor;
            _sweepCursor = (_sweepCursor + 1) & _mask;
            ref Entry e = ref _entries[i];
            if (e.Key != 0 && IsExpired(e, now))
            {
                RemoveAt(i);
                _counters.FdbAged++;
                // The shift may have moved another entry into slot i; look at it again.
                _sweepCursor = i;
            }
        }
    }

    /// <summary>Forgets every entry (all of them, or those on one port).</summary>
    public void Flush(ushort? port = null)
    {
        for (int i = 0; i <= _mask; i++)
        {
            while (_entries[i].Key != 0 && (port is null || _entries[i].Port == port)) RemoveAt(i);
        }
    }

    /// <summary>A copy of the live entries, for the control plane (allocates; never per frame).</summary>
    public List<MacTableEntry> Snapshot(long now)
    {
        var list = new List<MacTableEntry>(Count);
        foreach (Entry e in _entries)
        {
            if (e.Key == 0 || IsExpired(e, now)) continue;
            list.Add(new MacTableEntry((ushort)((e.Key >> 48) & 0xFFF), e.Key & MacMask, e.Port,
                TimeSpan.FromTicks((now - e.LastSeen) / 100)));
        }
        return list;
    }

    private const ulong MacMask = 0xFFFF_FFFF_FFFFUL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MakeKey(ushort vlan, ulong mac) => OccupiedBit | ((ulong)(vlan & 0xFFF) << 48) | (mac & MacMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(ulong key)
    {
        // A keyed 64-bit mix (the splitmix64 finaliser over key XOR seed): cheap, and good
        // enough that neighbouring MACs spread over the whole table.
        ulong x = key ^ _seed;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)x & _mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsExpired(in Entry e, long now) => now - e.LastSeen > AgingNanoseconds;

    // Backward-shift deletion for linear probing: pull later entries of the run into the hole
    // when their home slot allows it, so lookups never need tombstones.
    private void RemoveAt(int hole)
    {
        int i = hole;
        while (true)
        {
            i = (i + 1) & _mask;
            ref Entry e = ref _entries[i];
            if (e.Key == 0) break;
            int home = Home(e.Key);
            // The entry at i may move to the hole only if its home is not cyclically in (hole, i].
            bool homeBetween = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (homeBetween) continue;
            _entries[hole] = e;
            hole = i;
        }
        _entries[hole] = default;
        Count--;
        _counters.FdbEntries = Count;
    }
}

/// <summary>One learned address, as the control plane shows it.</summary>
/// <summary>What <see cref="MacTable.Peek"/> found.</summary>
public enum MacEntryState
{
    /// <summary>Not in the table; a learn would add it.</summary>
    Unknown,
    /// <summary>Not in the table, and the table is at its bound: a learn would not add it.</summary>
    UnknownTableFull,
    /// <summary>In the table but aged out: a lookup misses, a learn starts it afresh.</summary>
    Expired,
    /// <summary>In the table and live.</summary>
    Live,
}

public readonly record struct MacTableEntry(ushort Vlan, ulong Mac, ushort Port, TimeSpan Age);
