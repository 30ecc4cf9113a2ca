using System.Net;
using VSwitch.Daemon.Storage;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Storage;

/// <summary>Table edits: checked by the file readers, written before they are in service, layout kept.</summary>
public sealed class TableStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-tables").FullName;
    private PeepholeTables? _published;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string HostsPath => Path.Combine(_dir, "hosts");
    private string EthersPath => Path.Combine(_dir, "ethers");

    private async Task<TableStore> OpenAsync(string hosts, string ethers)
    {
        await File.WriteAllTextAsync(HostsPath, hosts);
        await File.WriteAllTextAsync(EthersPath, ethers);
        var store = new TableStore(HostsPath, EthersPath, new DnsSettings(), t => _published = t);
        TableResult<TableLoad> load = await store.ReloadAsync();
        Assert.True(load.Ok, string.Join('\n', load.Details));
        return store;
    }

    private bool Resolves(string name) => _published!.Names.ContainsKey(DnsName.KeyFromText(name));

    [Fact]
    public async Task AddHost_KeepsCommentsAndLayout_AndPublishesTheName()
    {
        using TableStore store = await OpenAsync("# our lab\n198.18.0.10   web.lab   # the web server\n", "");
        TableResult<TableEdit> r = await store.AddHostAsync("2001:db8::10", ["web.lab"]);
        Assert.True(r.Ok, r.Error);
        Assert.Equal("# our lab\n198.18.0.10   web.lab   # the web server\n2001:db8::10\tweb.lab\n", await File.ReadAllTextAsync(HostsPath));
        Assert.Same(store.Current, _published);
        Assert.True(Resolves("web.lab"));
    }

    [Fact]
    public async Task AddHost_FileWithoutFinalNewline_GetsOne()
    {
        using TableStore store = await OpenAsync("198.18.0.10 a", "");
        Assert.True((await store.AddHostAsync("198.18.0.11", ["b"])).Ok);
        Assert.Equal("198.18.0.10 a\n198.18.0.11\tb\n", await File.ReadAllTextAsync(HostsPath));
    }

    [Theory]
    [InlineData("198.18.0.1/24", "a", "prefix length")]
    [InlineData("fe80::1%eth0", "a", "zone ids")]
    [InlineData("198.18.0.1", "a_b.", "")]
    [InlineData("198.18.0.1", "1.2.3", "all-numeric")]
    [InlineData("198.18.0.1", "a#b", "'#'")]
    [InlineData("198.18.0.1", "a\nb", "control character")]
    public async Task AddHost_BadInput_RefusedAndFileUntouched(string address, string name, string reason)
    {
        using TableStore store = await OpenAsync("198.18.0.10 web\n", "");
        PeepholeTables? before = _published;
        TableResult<TableEdit> r = await store.AddHostAsync(address, [name]);
        if (reason.Length == 0)
        {
            Assert.True(r.Ok, r.Error);
            return;
        }
        Assert.False(r.Ok);
        Assert.Contains(reason, r.Error, StringComparison.Ordinal);
        Assert.Equal("198.18.0.10 web\n", await File.ReadAllTextAsync(HostsPath));
        Assert.Same(before, _published);
        Assert.Equal(1, store.EditsRefused);
    }

    [Fact]
    public async Task DeleteHost_CanonicalNameGone_AliasTakesOverReverse()
    {
        using TableStore store = await OpenAsync("198.18.0.10 web.lab www # keep me\n198.18.0.11 db\n", "");
        TableResult<TableEdit> r = await store.DeleteHostAsync("web.lab");
        Assert.True(r.Ok, r.Error);
        Assert.Equal("198.18.0.10\twww\t# keep me\n198.18.0.11 db\n", await File.ReadAllTextAsync(HostsPath));
        Assert.False(Resolves("web.lab"));
        Assert.True(Resolves("www"));
        Assert.True(_published!.TryGetPtrName(IPAddress.Parse("198.18.0.10").GetAddressBytes(), out ReadOnlySpan<byte> ptr));
        Assert.Equal(DnsName.FromText("www"), ptr.ToArray());
    }

    [Fact]
    public async Task Edit_FileChangedOnDisk_RefusedUntilReloaded()
    {
        using TableStore store = await OpenAsync("198.18.0.10 web\n", "");
        await File.WriteAllTextAsync(HostsPath, "198.18.0.10 web\n198.18.0.12 hand-edited\n");
        TableResult<TableEdit> r = await store.AddHostAsync("198.18.0.11", ["db"]);
        Assert.False(r.Ok);
        Assert.Contains("changed on disk", r.Error, StringComparison.Ordinal);
        Assert.Equal("198.18.0.10 web\n198.18.0.12 hand-edited\n", await File.ReadAllTextAsync(HostsPath));
        Assert.True((await store.ReloadAsync()).Ok);
        Assert.True((await store.AddHostAsync("198.18.0.11", ["db"])).Ok);
    }

    [Fact]
    public async Task Neighbors_ByNameAndAddress_LastLineWins_AsOnAFullLoad()
    {
        using TableStore store = await OpenAsync("198.18.0.10 web\n2001:db8::10 web\n", "");
        Assert.True((await store.AddNeighborAsync("02:00:00:00:00:10", "web")).Ok);
        Assert.True(_published!.TryGetNeighbor(IPAddress.Parse("2001:db8::10").GetAddressBytes(), out ulong mac6));
        Assert.Equal(0x020000000010UL, mac6);
        Assert.True((await store.AddNeighborAsync("02:00:00:00:00:99", "198.18.0.10")).Ok);
        Assert.True(_published.TryGetNeighbor(0xC612000A, out ulong mac4));
        Assert.Equal(0x020000000099UL, mac4);

        // Deleting the address line hands the address back to the name line, as a reload would.
        Assert.True((await store.DeleteNeighborAsync("02:00:00:00:00:99")).Ok);
        Assert.True(_published.TryGetNeighbor(0xC612000A, out mac4));
        Assert.Equal(0x020000000010UL, mac4);

        Assert.True((await store.DeleteNeighborAsync("web")).Ok);
        Assert.False(_published.TryGetNeighbor(0xC612000A, out _));
        Assert.Equal("", await File.ReadAllTextAsync(EthersPath));

        var reloaded = new TableStore(HostsPath, EthersPath, new DnsSettings(), _ => { });
        Assert.True((await reloaded.ReloadAsync()).Ok);
        reloaded.Dispose();
    }

    [Fact]
    public async Task ConcurrentEdits_AllWritten()
    {
        using TableStore store = await OpenAsync("", "");
        TableResult<TableEdit>[] results = await Task.WhenAll(Enumerable.Range(1, 40)
            .Select(i => Task.Run(() => store.AddHostAsync($"198.18.1.{i}", [$"h{i}"]))));
        Assert.All(results, r => Assert.True(r.Ok, r.Error));
        Assert.Equal(40, HostsFileReader.Load(HostsPath).Entries.Count);
        Assert.All(Enumerable.Range(1, 40), i => Assert.True(Resolves($"h{i}")));
    }

    [Fact]
    public void Samples_LoadCleanlyAndHoldNoEntries()
    {
        TableParse<HostsEntry> hosts = HostsFileReader.Parse("hosts", TableStore.Sample(hosts: true));
        TableParse<EthersEntry> ethers = EthersFileReader.Parse("ethers", TableStore.Sample(hosts: false));
        Assert.True(hosts.Ok && ethers.Ok);
        Assert.Empty(hosts.Entries);
        Assert.Empty(ethers.Entries);
        Assert.Contains("vswitchctl hosts add", TableStore.Sample(hosts: true), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_BadLine_KeepsTheTableInService()
    {
        using TableStore store = await OpenAsync("198.18.0.10 web\n", "");
        PeepholeTables? before = _published;
        await File.WriteAllTextAsync(EthersPath, "02:00:00:00:00:01 nohost\n");
        TableResult<TableLoad> r = await store.ReloadAsync();
        Assert.False(r.Ok);
        Assert.Equal($"{EthersPath}:1: host name 'nohost' is not in the hosts table", Assert.Single(r.Details));
        Assert.Same(before, _published);
        Assert.Equal(1, store.LoadsRefused);
    }
}
