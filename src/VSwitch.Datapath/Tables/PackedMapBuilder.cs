using System.Buffers.Binary;
using System.Numerics;

namespace VSwitch.Datapath.Tables;

// Why not a Dictionary<byte[], byte[]>: a table of a million names built that way is two million
// small arrays that live through every collection until the snapshot is laid out, which costs
// seconds of copying between generations and several times the table's size at the peak. Here
// every record goes into an arena in BlobMap's own record format, with one open-addressed index
// over it, so the build holds no object per record and the layout into shards is a copy of byte
// ranges. The arena is a list of 4 MiB chunks, filled in turn and never zeroed first: it grows
// without copying what it holds, and a guess at its size costs nothing when it is wrong (one
// growing array doubled and copied 45 MB at a million names, and a new array's pages are all
// written with zeros before use).

/// <summary>A mutable map of byte keys to byte values, packed in one arena, that becomes a <see cref="BlobMap"/>.</summary>
/// <remarks>Single-threaded; for building snapshots on the control plane.</remarks>
public sealed class PackedMapBuilder
{
    // Records are [key length u8][value length u16][key][value], as in a BlobMap shard; a record
    // never spans two chunks. An offset is chunk << ChunkBits | position in the chunk.
    internal const int ChunkBits = 22;
    private const int ChunkSize = 1 << ChunkBits, MaxChunks = int.MaxValue >> ChunkBits;
    private readonly List<byte[]> _chunks = [];
    private byte[] _chunk = [];
    private int _used;
    // Slots: hash in the high 32 bits, offset + 1 in the low 32 bits; 0 is empty.
    private long[] _index;

    public PackedMapBuilder(int capacity = 16) =>
        _index = new long[BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 10 / 7))];

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
    public BlobMap ToBlobMap() => Count == 0 ? BlobMap.Empty : BlobMap.Layout(_chunks, LiveRecords());

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
                value.CopyTo(_chunks[old >> ChunkBits].AsSpan((old & (ChunkSize - 1)) + 3 + key.Length));
                return true;
            }
        }
        int offset = Append(key, value);
        _index[slot] = ((long)hash << 32) | (uint)(offset + 1);
        // Grown at seven tenths full: linear probing stays short, and the index a third smaller than at half.
        if (!exists && ++Count * 10 > _index.Length * 7) GrowIndex();
        return true;
    }

    private int Append(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int size = 3 + key.Length + value.Length;
        if (_used + size > _chunk.Length)
        {
            if (_chunks.Count == MaxChunks) throw new InvalidOperationException("The table is larger than one arena can hold (2 GiB).");
            // The first chunk of a small map is small; a record (at most 64 KiB) always fits an empty chunk.
            _chunk = GC.AllocateUninitializedArray<byte>(_chunks.Count == 0 && _index.Length < 4096 ? Math.Max(size, 64 * 1024) : ChunkSize);
            _chunks.Add(_chunk);
            _used = 0;
        }
        int at = _used;
        _chunk[at] = (byte)key.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(_chunk.AsSpan(at + 1), (ushort)value.Length);
        key.CopyTo(_chunk.AsSpan(at + 3));
        value.CopyTo(_chunk.AsSpan(at + 3 + key.Length));
        _used += size;
        return ((_chunks.Count - 1) << ChunkBits) | at;
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

    private ReadOnlySpan<byte> KeyAt(int offset) => Record(_chunks, offset, out int keyLength, out _).Slice(3, keyLength);

    private ReadOnlySpan<byte> ValueAt(int offset)
    {
        ReadOnlySpan<byte> record = Record(_chunks, offset, out int keyLength, out int valueLength);
        return record.Slice(3 + keyLength, valueLength);
    }

    /// <summary>The whole record at <paramref name="offset"/> of a chunked arena.</summary>
    internal static ReadOnlySpan<byte> Record(List<byte[]> chunks, int offset, out int keyLength, out int valueLength)
    {
        byte[] chunk = chunks[offset >> ChunkBits];
        int at = offset & (ChunkSize - 1);
        keyLength = chunk[at];
        valueLength = BinaryPrimitives.ReadUInt16LittleEndian(chunk.AsSpan(at + 1));
        return chunk.AsSpan(at, 3 + keyLength + valueLength);
    }
}
