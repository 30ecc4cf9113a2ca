using System.Buffers.Binary;
using System.Numerics;

namespace VSwitch.Datapath.Tables;

// Why not a Dictionary<byte[], byte[]>: a table of a million names built that way is two million
// small arrays that live through every collection until the snapshot is laid out, which costs
// seconds of copying between generations and several times the table's size at the peak. Here
// every record goes into one growing arena in BlobMap's own record format, with one open-
// addressed index over it, so the build holds no object per record and the layout into shards
// is a copy of byte ranges.

/// <summary>A mutable map of byte keys to byte values, packed in one arena, that becomes a <see cref="BlobMap"/>.</summary>
/// <remarks>Single-threaded; for building snapshots on the control plane.</remarks>
public sealed class PackedMapBuilder
{
    // Records are [key length u8][value length u16][key][value], as in a BlobMap shard.
    private byte[] _arena;
    private int _used;
    // Slots: hash in the high 32 bits, arena offset + 1 in the low 32 bits; 0 is empty.
    private long[] _index;

    public PackedMapBuilder(int capacity = 16)
    {
        _index = new long[BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2))];
        _arena = new byte[Math.Max(256, capacity * 32)];
    }

    /// <summary>How many keys the map holds.</summary>
    public int Count { get; private set; }

    public bool TryGet(scoped ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        int slot = Find(key, BlobMap.HashOf(key));
        if (_index[slot] == 0)
        {
            value = default;
            return false;
        }
        value = ValueAt((int)_index[slot] - 1);
        return true;
    }

    public bool ContainsKey(ReadOnlySpan<byte> key) => TryGet(key, out _);

    /// <summary>Sets the value of <paramref name="key"/>, adding the key when it is new.</summary>
    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Put(key, value, replace: true);

    /// <summary>Adds <paramref name="key"/> when it is not there yet.</summary>
    /// <returns>True when it was added.</returns>
    public bool TryAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Put(key, value, replace: false);

    /// <summary>Every key, copied out.</summary>
    public List<byte[]> Keys()
    {
        var keys = new List<byte[]>(Count);
        foreach (long slot in _index)
        {
            if (slot != 0) keys.Add(KeyAt((int)slot - 1).ToArray());
        }
        return keys;
    }

    /// <summary>Every (key, value), copied out.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Entries()
    {
        for (int i = 0; i < _index.Length; i++)
        {
            long slot = _index[i];
            if (slot != 0) yield return new(KeyAt((int)slot - 1).ToArray(), ValueAt((int)slot - 1).ToArray());
        }
    }

    /// <summary>The immutable map of these records.</summary>
    public BlobMap ToBlobMap() => Count == 0 ? BlobMap.Empty : BlobMap.Layout(_arena, LiveRecords());

    // (hash, offset) of every live record.
    private List<(uint Hash, int Offset)> LiveRecords()
    {
        var records = new List<(uint, int)>(Count);
        foreach (long slot in _index)
        {
            if (slot != 0) records.Add(((uint)(slot >> 32), (int)slot - 1));
        }
        return records;
    }

    private bool Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool replace)
    {
        if (key.Length is 0 or > BlobMap.MaxKeyLength) throw new ArgumentException($"Key length {key.Length} is outside 1-{BlobMap.MaxKeyLength}.");
        if (value.Length > BlobMap.MaxValueLength) throw new ArgumentException($"Value length {value.Length} is over {BlobMap.MaxValueLength}.");
        uint hash = BlobMap.HashOf(key);
        int slot = Find(key, hash);
        bool exists = _index[slot] != 0;
        if (exists && !replace) return false;
        if (exists)
        {
            int old = (int)_index[slot] - 1;
            // A value that fits is replaced in place; a longer one is written anew at the end.
            if (ValueAt(old).Length == value.Length)
            {
                value.CopyTo(_arena.AsSpan(old + 3 + key.Length));
                return true;
            }
        }
        int offset = Append(key, value);
        _index[slot] = ((long)hash << 32) | (uint)(offset + 1);
        if (!exists && ++Count * 2 > _index.Length) GrowIndex();
        return true;
    }

    private int Append(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int size = 3 + key.Length + value.Length;
        if (_used + size > _arena.Length)
        {
            long wanted = Math.Max((long)_arena.Length * 2, _used + size);
            if (wanted > Array.MaxLength) throw new InvalidOperationException("The table is larger than one arena can hold (2 GiB).");
            Array.Resize(ref _arena, (int)wanted);
        }
        int offset = _used;
        _arena[offset] = (byte)key.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(_arena.AsSpan(offset + 1), (ushort)value.Length);
        key.CopyTo(_arena.AsSpan(offset + 3));
        value.CopyTo(_arena.AsSpan(offset + 3 + key.Length));
        _used += size;
        return offset;
    }

    private int Find(ReadOnlySpan<byte> key, uint hash)
    {
        int mask = _index.Length - 1;
        int i = (int)hash & mask;
        while (true)
        {
            long slot = _index[i];
            if (slot == 0 || ((uint)(slot >> 32) == hash && KeyAt((int)slot - 1).SequenceEqual(key))) return i;
            i = (i + 1) & mask;
        }
    }

    private void GrowIndex()
    {
        long[] old = _index;
        _index = new long[old.Length * 2];
        int mask = _index.Length - 1;
        foreach (long slot in old)
        {
            if (slot == 0) continue;
            int i = (int)(uint)(slot >> 32) & mask;
            while (_index[i] != 0) i = (i + 1) & mask;
            _index[i] = slot;
        }
    }

    private ReadOnlySpan<byte> KeyAt(int offset) => _arena.AsSpan(offset + 3, _arena[offset]);

    private ReadOnlySpan<byte> ValueAt(int offset) =>
        _arena.AsSpan(offset + 3 + _arena[offset], BinaryPrimitives.ReadUInt16LittleEndian(_arena.AsSpan(offset + 1)));
}
