using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace VSwitch.Datapath.Tables;

/// <summary>
/// An immutable map from short byte keys to byte values, split into shards so that an edit
/// rebuilds one shard and shares the rest with the previous map.
/// </summary>
/// <remarks>
/// <para>Each shard keeps its keys and values packed in one <c>byte[]</c> and an open-addressed
/// index of <c>long</c>s (32-bit hash, 32-bit offset), so a lookup is one hash over the key, a
/// probe that compares hashes, and one key comparison: O(1) whatever the size, with no objects
/// per record for the collector to trace. The shard count follows the size (16 to 4096, about
/// 256 records each): one edit to a map of a million records copies about 250 of them, a few
/// kilobytes, well below the large-object heap, so an edit under load costs the collector almost
/// nothing (measured by <c>bench ... tables</c>); a map of a thousand records costs 16 shards.</para>
/// <para>The hash is <see cref="HashCode"/>, which .NET seeds randomly per process, so keys
/// crafted offline cannot be made to collide.</para>
/// <para>Lookups are safe from any thread: a map never changes after it is built.</para>
/// </remarks>
public sealed class BlobMap
{
    // A shard holds a few hundred records: enough shards that an edit copies little, few enough
    // that a small map (a tenant with a thousand names) does not pay for thousands of empty ones.
    private const int MinShardBits = 4, MaxShardBits = 12, RecordsPerShard = 256;
    public const int MaxKeyLength = 255;
    public const int MaxValueLength = 65535;

    public static readonly BlobMap Empty = new(CreateEmptyShards(MinShardBits), MinShardBits);

    private readonly Shard[] _shards;
    private readonly int _bits;

    private BlobMap(Shard[] shards, int bits)
    {
        _shards = shards;
        _bits = bits;
        foreach (Shard s in shards) Count += s.Count;
    }

    /// <summary>How many shards the map is split into.</summary>
    internal int ShardCount => _shards.Length;

    public int Count { get; }

    /// <summary>Approximate bytes held by the map's arrays (for memory-per-record reports).</summary>
    public long SizeInBytes
    {
        get
        {
            long sum = 0;
            foreach (Shard s in _shards) sum += s.SizeInBytes;
            return sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(scoped ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        uint hash = Hash(key);
        return _shards[hash >> (32 - _bits)].TryGet(key, hash, out value);
    }

    public bool ContainsKey(ReadOnlySpan<byte> key) => TryGet(key, out _);

    /// <summary>The records whose key hashes to <paramref name="hash"/> (<see cref="HashOf"/>), one
    /// per call: start with <paramref name="cursor"/> at -1 and call until false.</summary>
    /// <remarks>How a value elsewhere refers to a record by its key's hash instead of a copy of
    /// the key (the reverse map's names); the caller tells the right record by its value.</remarks>
    public bool NextWithHash(uint hash, scoped ref int cursor, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value) =>
        _shards[hash >> (32 - _bits)].NextWithHash(hash, ref cursor, out key, out value);

    /// <summary>A new map with <paramref name="changes"/> applied (a null value removes the key);
    /// shards no change touches are shared with this map.</summary>
    public BlobMap With(IEnumerable<KeyValuePair<byte[], byte[]?>> changes)
    {
        var list0 = changes as IReadOnlyCollection<KeyValuePair<byte[], byte[]?>> ?? changes.ToList();
        int wanted = BitsFor(Count + list0.Count);
        if (wanted > _bits + 1 || (Count == 0 && wanted > _bits))
        {
            // The map has outgrown its shards (four times over, or it is being built): lay it out
            // again with more, once, rather than copy ever larger shards on every edit.
            var removed = new HashSet<byte[]>(list0.Where(c => c.Value is null).Select(c => c.Key), ByteArrayComparer.Instance);
            var all = new PackedMapBuilder(Count + list0.Count);
            foreach (var (k, v) in Entries())
            {
                if (!removed.Contains(k)) all.Set(k, v);
            }
            foreach (var (k, v) in list0)
            {
                Check(k, v);
                if (v is not null) all.Set(k, v);
            }
            // A key removed and then added again in the same list ends up added, as in order.
            return all.ToBlobMap();
        }
        var byShard = new Dictionary<int, List<KeyValuePair<byte[], byte[]?>>>();
        foreach (var change in list0)
        {
            Check(change.Key, change.Value);
            int shard = (int)(Hash(change.Key) >> (32 - _bits));
            if (!byShard.TryGetValue(shard, out var list)) byShard[shard] = list = [];
            list.Add(change);
        }
        if (byShard.Count == 0) return this;
        var shards = (Shard[])_shards.Clone();
        foreach (var (index, list) in byShard)
        {
            var contents = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
            foreach (var (k, v) in _shards[index].Entries()) contents[k] = v;
            foreach (var (k, v) in list)
            {
                if (v is null) contents.Remove(k);
                else contents[k] = v;
            }
            shards[index] = Shard.Build(contents);
        }
        return new BlobMap(shards, _bits);
    }

    private static int BitsFor(int records) =>
        Math.Clamp(BitOperations.Log2((uint)Math.Max(1, records / RecordsPerShard) * 2 - 1), MinShardBits, MaxShardBits);

    /// <summary>Lays records out in shards: <paramref name="records"/> are the (hash, offset) of
    /// records in the chunked arena <paramref name="chunks"/> (<see cref="PackedMapBuilder"/>), in
    /// the shard record format, keys unique.</summary>
    internal static BlobMap Layout(List<byte[]> chunks, List<(uint Hash, int Offset)> records)
    {
        int bits = BitsFor(records.Count), shardCount = 1 << bits;
        var starts = new int[shardCount + 1];
        foreach (var (hash, _) in records) starts[(int)(hash >> (32 - bits)) + 1]++;
        for (int s = 0; s < shardCount; s++) starts[s + 1] += starts[s];
        var ordered = new (uint Hash, int Offset)[records.Count];
        var next = (int[])starts.Clone();
        foreach (var record in records) ordered[next[(int)(record.Hash >> (32 - bits))]++] = record;
        var shards = new Shard[shardCount];
        for (int s = 0; s < shardCount; s++)
            shards[s] = Shard.Build(chunks, ordered.AsSpan(starts[s], starts[s + 1] - starts[s]));
        return new BlobMap(shards, bits);
    }

    /// <summary>Builds a map from scratch; a later duplicate key replaces an earlier one.</summary>
    public static BlobMap Build(IEnumerable<KeyValuePair<byte[], byte[]>> entries)
    {
        var all = new PackedMapBuilder();
        foreach (var (k, v) in entries) all.Set(k, v);
        return all.ToBlobMap();
    }

    /// <summary>Every (key, value) pair, copied out (control plane and edits; allocates).</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Entries() => _shards.SelectMany(s => s.Entries());

    /// <summary>True when some key satisfies <paramref name="match"/>. Walks every record in place,
    /// copying nothing: O(records), for control-plane edits that must look at the whole map.</summary>
    public bool AnyKey(Func<ReadOnlySpan<byte>, bool> match)
    {
        foreach (Shard s in _shards)
        {
            if (s.AnyKey(match)) return true;
        }
        return false;
    }

    /// <summary>The shard that holds <paramref name="key"/>.</summary>
    internal int ShardOf(ReadOnlySpan<byte> key) => (int)(Hash(key) >> (32 - _bits));

    /// <summary>True when this map and <paramref name="other"/> hold the very same shard object at
    /// <paramref name="shard"/>: what lets tests prove that an edit copies only the shards it touches.</summary>
    internal bool SharesShard(BlobMap other, int shard) => ReferenceEquals(_shards[shard], other._shards[shard]);

    /// <summary>The hash records are placed by (randomly seeded per process).</summary>
    internal static uint HashOf(ReadOnlySpan<byte> key) => Hash(key);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> key)
    {
        var h = new HashCode();
        h.AddBytes(key);
        return (uint)h.ToHashCode();
    }

    private static void Check(byte[] key, byte[]? value)
    {
        if (key.Length is 0 or > MaxKeyLength) throw new ArgumentException($"Key length {key.Length} is outside 1-{MaxKeyLength}.");
        if (value is { Length: > MaxValueLength }) throw new ArgumentException($"Value length {value.Length} is over {MaxValueLength}.");
    }

    private static Shard[] CreateEmptyShards(int bits)
    {
        var shards = new Shard[1 << bits];
        Array.Fill(shards, Shard.Empty);
        return shards;
    }

    /// <summary>One shard: records packed as [key length u8][value length u16][key][value].</summary>
    /// <remarks>The index is 32-bit slots, about 30 % empty: the low bits hold the record's offset + 1
    /// (as many bits as the shard's data needs), the high bits a tag of the key's hash, so most probes
    /// that miss compare no key. Its length is not a power of two: a probe starts at the mixed hash
    /// scaled to the length (multiplies and a shift, Lemire's fastrange), so the index can be
    /// sized to its records, not to the next power of two (which left it half to three quarters empty:
    /// six bytes a record, a tenth of a million-name table).</remarks>
    private sealed class Shard
    {
        public static readonly Shard Empty = new([], new uint[1], 0, 8);

        private readonly byte[] _data;
        private readonly uint[] _index;
        private readonly int _length;
        private readonly int _offsetBits;
        private readonly uint _offsetMask;

        private Shard(byte[] data, uint[] index, int count, int offsetBits)
        {
            _data = data;
            _index = index;
            _length = index.Length;
            _offsetBits = offsetBits;
            _offsetMask = (1u << offsetBits) - 1;
            Count = count;
        }

        public int Count { get; }

        public long SizeInBytes => _data.Length + _index.Length * 4L + 64;

        // The bits of the hash a slot keeps: taken above the probe's low bits and below the shard's top bits.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static uint Tag(uint hash, int offsetBits) => (hash >> 8) & (uint.MaxValue >> offsetBits);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TryGet(scoped ReadOnlySpan<byte> key, uint hash, out ReadOnlySpan<byte> value)
        {
            int i = Start(hash, _length);
            uint tag = Tag(hash, _offsetBits);
            while (NextCandidate(tag, ref i, out int offset))
            {
                Record(offset, out ReadOnlySpan<byte> stored, out value);
                if (stored.SequenceEqual(key)) return true;
            }
            value = default;
            return false;
        }

        public bool NextWithHash(uint hash, scoped ref int cursor, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
        {
            int i = cursor < 0 ? Start(hash, _length) : cursor;
            uint tag = Tag(hash, _offsetBits);
            while (NextCandidate(tag, ref i, out int offset))
            {
                Record(offset, out key, out value);
                if (Hash(key) != hash) continue;
                cursor = i;
                return true;
            }
            key = value = default;
            return false;
        }

        // The probe: the next slot from i whose tag matches (i moves past it); false at an empty slot.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool NextCandidate(uint tag, ref int i, out int offset)
        {
            uint[] index = _index;
            while (true)
            {
                uint slot = index[i];
                if (slot == 0) break;
                if (++i == _length) i = 0;
                if (slot >> _offsetBits != tag) continue;
                offset = (int)(slot & _offsetMask) - 1;
                return true;
            }
            offset = 0;
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Record(int offset, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
        {
            int keyLength = _data[offset];
            key = _data.AsSpan(offset + 3, keyLength);
            value = _data.AsSpan(offset + 3 + keyLength, BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(offset + 1)));
        }

        public IEnumerable<KeyValuePair<byte[], byte[]>> Entries()
        {
            for (int offset = 0; offset < _data.Length;)
            {
                int keyLength = _data[offset];
                int valueLength = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(offset + 1));
                yield return new(_data.AsSpan(offset + 3, keyLength).ToArray(), _data.AsSpan(offset + 3 + keyLength, valueLength).ToArray());
                offset += 3 + keyLength + valueLength;
            }
        }

        public bool AnyKey(Func<ReadOnlySpan<byte>, bool> match)
        {
            for (int offset = 0; offset < _data.Length;)
            {
                int keyLength = _data[offset];
                int valueLength = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(offset + 1));
                if (match(_data.AsSpan(offset + 3, keyLength))) return true;
                offset += 3 + keyLength + valueLength;
            }
            return false;
        }

        public static Shard Build(Dictionary<byte[], byte[]> contents)
        {
            if (contents.Count == 0) return Empty;
            int size = 0;
            foreach (var (k, v) in contents) size += 3 + k.Length + v.Length;
            byte[] data = NewData(size);
            var records = new (uint Hash, int At)[contents.Count];
            int at = 0, n = 0;
            foreach (var (k, v) in contents)
            {
                data[at] = (byte)k.Length;
                BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(at + 1), (ushort)v.Length);
                k.CopyTo(data, at + 3);
                v.CopyTo(data, at + 3 + k.Length);
                records[n++] = (Hash(k), at);
                at += 3 + k.Length + v.Length;
            }
            return Indexed(data, records);
        }

        // The records at ordered[i].Offset in a chunked arena (already in the record format), copied into one shard.
        public static Shard Build(List<byte[]> chunks, ReadOnlySpan<(uint Hash, int Offset)> ordered)
        {
            if (ordered.Length == 0) return Empty;
            int size = 0;
            foreach (var (_, offset) in ordered) size += PackedMapBuilder.Record(chunks, offset, out _, out _).Length;
            byte[] data = NewData(size);
            var records = new (uint Hash, int At)[ordered.Length];
            int at = 0, n = 0;
            foreach (var (hash, offset) in ordered)
            {
                ReadOnlySpan<byte> record = PackedMapBuilder.Record(chunks, offset, out _, out _);
                record.CopyTo(data.AsSpan(at));
                records[n++] = (hash, at);
                at += record.Length;
            }
            return Indexed(data, records);
        }

        // The data is all written before use, so it is not zeroed first. (On the pinned heap, to
        // spare the collector copying 80 MB of shards through the generations while a million-name
        // table is built, start-up was slower, not faster: 16,000 allocations there cost more.)
        private static byte[] NewData(int size) => GC.AllocateUninitializedArray<byte>(size);

        // The shard of data (records packed, at records[i].At) with its index.
        private static Shard Indexed(byte[] data, ReadOnlySpan<(uint Hash, int At)> records)
        {
            // Seven records to ten slots: a miss probes a handful of slots, comparing tags only.
            var index = new uint[Math.Max(4, records.Length * 10 / 7 + 1)];
            // Enough offset bits for offset + 1 of any record (at least 8), the rest of the slot for the tag.
            int offsetBits = Math.Clamp(32 - BitOperations.LeadingZeroCount((uint)data.Length + 1), 8, 31);
            foreach (var (hash, at) in records)
            {
                int i = Start(hash, index.Length);
                while (index[i] != 0)
                {
                    if (++i == index.Length) i = 0;
                }
                index[i] = (Tag(hash, offsetBits) << offsetBits) | (uint)(at + 1);
            }
            return new Shard(data, index, records.Length, offsetBits);
        }

        // The hash, mixed by a multiply (Fibonacci hashing), scaled to [0, length). Scaling the hash's
        // own low bits made the start and the tag (bits 8 and up) share bits: keys clustered around
        // a start had like tags, every false tag match read a record, and at a million names a miss
        // cost 290 ns instead of 120 (BenchmarkDotNet, PeepholeBenchmarks.DnsMiss).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Start(uint hash, int length) => (int)(((ulong)(hash * 0x9E3779B1u) * (uint)length) >> 32);
    }
}

/// <summary>Compares byte arrays by content (table building only).</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var h = new HashCode();
        h.AddBytes(obj);
        return h.ToHashCode();
    }
}
