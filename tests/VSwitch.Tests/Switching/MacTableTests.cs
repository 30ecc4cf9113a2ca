using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Switching;

namespace VSwitch.Tests.Switching;

public class MacTableTests
{
    private const long Second = 1_000_000_000;
    private static readonly TimeSpan Aging = TimeSpan.FromSeconds(10);

    private static (MacTable Table, SwitchCounters Counters) NewTable(int size = 100)
    {
        var counters = new SwitchCounters();
        return (new MacTable(counters, size, Aging), counters);
    }

    [Fact]
    public void Learn_NewAddress_LookupFindsItsPort()
    {
        var (table, counters) = NewTable();
        table.Learn(1, 0x02_0000_00000a, 3, 0);
        Assert.True(table.TryLookup(1, 0x02_0000_00000a, Second, out ushort port));
        Assert.Equal(3, port);
        Assert.Equal(1, counters.FdbLearned);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Learn_SameMacInTwoVlans_KeepsTwoEntries()
    {
        var (table, counters) = NewTable();
        table.Learn(10, 0xA, 1, 0);
        table.Learn(20, 0xA, 2, 0);
        Assert.True(table.TryLookup(10, 0xA, 0, out ushort p10));
        Assert.True(table.TryLookup(20, 0xA, 0, out ushort p20));
        Assert.Equal((1, 2), (p10, p20));
        Assert.Equal(0, counters.FdbMoved);
        Assert.False(table.TryLookup(30, 0xA, 0, out _));
    }

    [Fact]
    public void Learn_KnownMacOnOtherPort_MovesAndCounts()
    {
        var (table, counters) = NewTable();
        table.Learn(1, 0xA, 1, 0);
        table.Learn(1, 0xA, 1, Second);
        table.Learn(1, 0xA, 4, 2 * Second);
        Assert.True(table.TryLookup(1, 0xA, 2 * Second, out ushort port));
        Assert.Equal(4, port);
        Assert.Equal(1, counters.FdbMoved);
        Assert.Equal(1, counters.FdbLearned);
    }

    [Fact]
    public void TryLookup_AfterAgingTime_MissesAndCountsAged()
    {
        var (table, counters) = NewTable();
        table.Learn(1, 0xA, 1, 0);
        Assert.True(table.TryLookup(1, 0xA, 10 * Second, out _));
        Assert.False(table.TryLookup(1, 0xA, 10 * Second + 1, out _));
        Assert.Equal(1, counters.FdbAged);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Learn_AtBound_RefusesNewAddressesButRefreshesKnownOnes()
    {
        var (table, counters) = NewTable(size: 2);
        table.Learn(1, 0xA, 1, 0);
        table.Learn(1, 0xB, 2, 0);
        table.Learn(1, 0xC, 3, 0);
        Assert.False(table.TryLookup(1, 0xC, 0, out _));
        Assert.Equal(1, counters.FdbTableFull);
        table.Learn(1, 0xA, 3, 5 * Second);
        Assert.True(table.TryLookup(1, 0xA, 12 * Second, out ushort port));
        Assert.Equal(3, port);
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Sweep_ExpiredEntries_RemovedAndCounted()
    {
        var (table, counters) = NewTable();
        for (ulong mac = 1; mac <= 50; mac++) table.Learn(1, mac, 1, mac <= 20 ? 0 : 15 * Second);
        table.Sweep(20 * Second, slots: 1 << 20);
        Assert.Equal(30, table.Count);
        Assert.Equal(20, counters.FdbAged);
        Assert.Equal(30, counters.FdbEntries);
    }

    [Fact]
    public void Flush_OnePort_ForgetsOnlyThatPort()
    {
        var (table, _) = NewTable();
        for (ulong mac = 1; mac <= 40; mac++) table.Learn(1, mac, (ushort)(mac % 2), 0);
        table.Flush(port: 1);
        Assert.Equal(20, table.Count);
        for (ulong mac = 1; mac <= 40; mac++) Assert.Equal(mac % 2 == 0, table.TryLookup(1, mac, 0, out _));
    }

    [Fact]
    public void Snapshot_ListsLiveEntriesWithAge()
    {
        var (table, _) = NewTable();
        table.Learn(7, 0x02_0000_0000ab, 2, Second);
        table.Learn(7, 0x02_0000_0000cd, 2, -20 * Second);
        MacTableEntry entry = Assert.Single(table.Snapshot(3 * Second));
        Assert.Equal((ushort)7, entry.Vlan);
        Assert.Equal(0x02_0000_0000abUL, entry.Mac);
        Assert.Equal(TimeSpan.FromSeconds(2), entry.Age);
    }

    /// <summary>Random learns, lookups, port flushes and time steps agree with a dictionary model
    /// of what the table holds (expired entries included until a lookup removes them); this is
    /// what shows that backward-shift deletion never loses or strands an entry.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomOperations_AgreeWithDictionaryModel(int seed)
    {
        const int Bound = 64;
        long aging = Aging.Ticks * 100;
        var random = new Random(seed);
        var (table, counters) = NewTable(size: Bound);
        var model = new Dictionary<(ushort Vlan, ulong Mac), (ushort Port, long Seen)>();
        long now = 0;
        for (int step = 0; step < 20000; step++)
        {
            ushort vlan = (ushort)random.Next(1, 3);
            ulong mac = (ulong)random.Next(1, 100);
            int op = random.Next(100);
            if (op < 50)
            {
                ushort port = (ushort)random.Next(4);
                table.Learn(vlan, mac, port, now);
                if (model.ContainsKey((vlan, mac)) || model.Count < Bound) model[(vlan, mac)] = (port, now);
            }
            else if (op < 95)
            {
                bool found = table.TryLookup(vlan, mac, now, out ushort got);
                bool present = model.TryGetValue((vlan, mac), out var entry);
                bool live = present && now - entry.Seen <= aging;
                if (present && !live) model.Remove((vlan, mac));
                Assert.Equal(live, found);
                if (found) Assert.Equal(entry.Port, got);
            }
            else if (op < 96)
            {
                ushort port = (ushort)random.Next(4);
                table.Flush(port);
                foreach (var key in model.Where(kv => kv.Value.Port == port).Select(kv => kv.Key).ToList()) model.Remove(key);
            }
            else
            {
                now += random.Next(0, 3) * Second;
            }
            Assert.Equal(model.Count, table.Count);
        }
        Assert.True(counters.FdbLearned > 100 && counters.FdbAged > 50 && counters.FdbTableFull > 0 && counters.FdbMoved > 0,
            $"the run must exercise learning, aging, moves and the bound (learned {counters.FdbLearned}, " +
            $"aged {counters.FdbAged}, moved {counters.FdbMoved}, full {counters.FdbTableFull})");
    }
}
