using System.Text;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Tables;

public class BlobMapTests
{
    private static byte[] B(string text) => Encoding.ASCII.GetBytes(text);

    private static KeyValuePair<byte[], byte[]> Pair(string key, string value) => new(B(key), B(value));

    private static KeyValuePair<byte[], byte[]?> Change(string key, string? value) => new(B(key), value is null ? null : B(value));

    private static string? Get(BlobMap map, string key) =>
        map.TryGet(B(key), out ReadOnlySpan<byte> value) ? Encoding.ASCII.GetString(value) : null;

    [Fact]
    public void Build_ThenTryGet_FindsEveryKeyAndNoOther()
    {
        BlobMap map = BlobMap.Build([Pair("web", "1"), Pair("db", "22"), Pair("empty", "")]);
        Assert.Equal(3, map.Count);
        Assert.Equal("1", Get(map, "web"));
        Assert.Equal("22", Get(map, "db"));
        Assert.Equal("", Get(map, "empty"));
        Assert.Null(Get(map, "we"));
        Assert.Null(Get(map, "webb"));
        Assert.Null(Get(map, "WEB"));
        Assert.False(map.ContainsKey(B("nope")));
        Assert.True(map.ContainsKey(B("db")));
    }

    [Fact]
    public void Build_DuplicateKey_LaterReplacesEarlier()
    {
        BlobMap map = BlobMap.Build([Pair("k", "first"), Pair("k", "second")]);
        Assert.Equal(1, map.Count);
        Assert.Equal("second", Get(map, "k"));
    }

    [Fact]
    public void Empty_HasNothing()
    {
        Assert.Equal(0, BlobMap.Empty.Count);
        Assert.Null(Get(BlobMap.Empty, "x"));
        Assert.Empty(BlobMap.Empty.Entries());
    }

    [Fact]
    public void With_AddReplaceRemove_NewMapChangedOldMapNot()
    {
        BlobMap before = BlobMap.Build([Pair("keep", "k"), Pair("replace", "old"), Pair("remove", "r")]);
        BlobMap after = before.With([Change("add", "new"), Change("replace", "new"), Change("remove", null)]);

        Assert.Equal(3, after.Count);
        Assert.Equal("k", Get(after, "keep"));
        Assert.Equal("new", Get(after, "add"));
        Assert.Equal("new", Get(after, "replace"));
        Assert.Null(Get(after, "remove"));

        Assert.Equal(3, before.Count);
        Assert.Null(Get(before, "add"));
        Assert.Equal("old", Get(before, "replace"));
        Assert.Equal("r", Get(before, "remove"));
    }

    [Fact]
    public void With_RemoveMissingKey_Harmless()
    {
        BlobMap before = BlobMap.Build([Pair("a", "1")]);
        BlobMap after = before.With([Change("b", null)]);
        Assert.Equal(1, after.Count);
        Assert.Equal("1", Get(after, "a"));
    }

    [Fact]
    public void With_NoChanges_ReturnsTheSameMap()
    {
        BlobMap map = BlobMap.Build([Pair("a", "1")]);
        Assert.Same(map, map.With([]));
    }

    [Fact]
    public void With_OneChange_SharesEveryOtherShard()
    {
        var random = new Random(1);
        BlobMap before = BlobMap.Build(Enumerable.Range(0, 10_000).Select(i => Pair("host" + i, "v" + random.Next())));
        byte[] key = B("host42");
        BlobMap after = before.With([new(key, B("changed"))]);

        int touched = before.ShardOf(key);
        for (int shard = 0; shard < before.ShardCount; shard++)
            Assert.Equal(shard != touched, after.SharesShard(before, shard));
        Assert.Equal("changed", Get(after, "host42"));
        Assert.Equal(before.Count, after.Count);
    }

    [Fact]
    public void With_ChangesInTwoShards_CopiesOnlyThoseTwo()
    {
        BlobMap before = BlobMap.Build(Enumerable.Range(0, 1000).Select(i => Pair("n" + i, "v")));
        // Two keys that live in different shards.
        string first = "n1";
        string second = Enumerable.Range(2, 1000).Select(i => "n" + i).First(k => before.ShardOf(B(k)) != before.ShardOf(B(first)));
        BlobMap after = before.With([Change(first, null), Change(second, "w")]);

        int shared = Enumerable.Range(0, before.ShardCount).Count(s => after.SharesShard(before, s));
        Assert.Equal(before.ShardCount - 2, shared);
        Assert.False(after.SharesShard(before, before.ShardOf(B(first))));
        Assert.False(after.SharesShard(before, before.ShardOf(B(second))));
    }

    [Fact]
    public void AnyKey_Predicate_SeesEveryKeyAndStopsAtAMatch()
    {
        BlobMap map = BlobMap.Build(Enumerable.Range(0, 3000).Select(i => Pair("k" + i, "v" + i)));
        int seen = 0;
        Assert.False(map.AnyKey(k =>
        {
            seen++;
            return false;
        }));
        Assert.Equal(3000, seen);
        Assert.True(map.AnyKey(k => k.SequenceEqual(B("k2999"))));
        Assert.False(map.AnyKey(k => k.SequenceEqual(B("v1"))));
        Assert.False(BlobMap.Empty.AnyKey(_ => true));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    public void With_KeyLengthOutsideLimits_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => BlobMap.Empty.With([new(new byte[length], [1])]));
    }

    [Fact]
    public void With_LongestKeyAndValue_Stored()
    {
        var key = new byte[BlobMap.MaxKeyLength];
        var value = new byte[BlobMap.MaxValueLength];
        key.AsSpan().Fill(7);
        value[^1] = 9;
        BlobMap map = BlobMap.Empty.With([new(key, value)]);
        Assert.True(map.TryGet(key, out ReadOnlySpan<byte> got));
        Assert.Equal(value.Length, got.Length);
        Assert.Equal(9, got[^1]);
        Assert.Throws<ArgumentException>(() => BlobMap.Empty.With([new(key, new byte[BlobMap.MaxValueLength + 1])]));
    }

    [Fact]
    public void With_RandomEdits_AgreesWithADictionary()
    {
        const int Keys = 100_000;
        var random = new Random(20240601);
        var model = new Dictionary<string, byte[]>(StringComparer.Ordinal);

        byte[] RandomBytes(int min, int max)
        {
            var b = new byte[random.Next(min, max + 1)];
            random.NextBytes(b);
            return b;
        }

        // Keys are short random byte strings (hex-named in the model), with some long ones near the limit.
        var initial = new List<KeyValuePair<byte[], byte[]>>(Keys);
        while (model.Count < Keys)
        {
            byte[] key = random.Next(100) == 0 ? RandomBytes(200, BlobMap.MaxKeyLength) : RandomBytes(1, 24);
            byte[] value = RandomBytes(0, 40);
            initial.Add(new(key, value));
            model[Convert.ToHexString(key)] = value;
        }
        BlobMap map = BlobMap.Build(initial);
        AssertAgrees(map, model);

        for (int round = 0; round < 20; round++)
        {
            var changes = new List<KeyValuePair<byte[], byte[]?>>();
            var existing = model.Keys.ToList();
            for (int i = 0; i < 100; i++)
            {
                int kind = random.Next(3);
                byte[] key = kind == 0 ? RandomBytes(1, 24) : Convert.FromHexString(existing[random.Next(existing.Count)]);
                byte[]? value = kind == 2 ? null : RandomBytes(0, 40);
                changes.Add(new(key, value));
                if (value is null) model.Remove(Convert.ToHexString(key));
                else model[Convert.ToHexString(key)] = value;
            }
            BlobMap next = map.With(changes);
            Assert.Equal(model.Count, next.Count);
            // Spot-check every changed key and a sample of the rest each round; the whole map at the end.
            foreach (var change in changes)
            {
                bool found = next.TryGet(change.Key, out ReadOnlySpan<byte> got);
                Assert.Equal(model.TryGetValue(Convert.ToHexString(change.Key), out byte[]? want), found);
                if (found) Assert.True(got.SequenceEqual(want!), "a changed key has the wrong value");
            }
            map = next;
        }
        AssertAgrees(map, model);

        // Keys never added are absent.
        for (int i = 0; i < 10_000; i++)
        {
            byte[] key = RandomBytes(25, 60);
            Assert.Equal(model.ContainsKey(Convert.ToHexString(key)), map.ContainsKey(key));
        }
    }

    private static void AssertAgrees(BlobMap map, Dictionary<string, byte[]> model)
    {
        Assert.Equal(model.Count, map.Count);
        foreach (var (hex, value) in model)
        {
            Assert.True(map.TryGet(Convert.FromHexString(hex), out ReadOnlySpan<byte> got), $"key {hex} is missing");
            Assert.True(got.SequenceEqual(value), $"key {hex} has the wrong value");
        }
        var entries = map.Entries().ToDictionary(e => Convert.ToHexString(e.Key), e => e.Value);
        Assert.Equal(model.Count, entries.Count);
        foreach (var (hex, value) in entries) Assert.Equal(model[hex], value);
    }
}
