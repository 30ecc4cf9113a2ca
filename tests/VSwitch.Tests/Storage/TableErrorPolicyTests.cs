using VSwitch.Daemon.Storage;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Storage;

/// <summary><c>table-errors</c>: refuse keeps a file with bad lines out of service; skip serves its good lines and counts the bad.</summary>
public sealed class TableErrorPolicyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-policy").FullName;
    private PeepholeTables? _published;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string HostsPath => Path.Combine(_dir, "hosts");
    private string EthersPath => Path.Combine(_dir, "ethers");

    private async Task<TableStore> StoreAsync(TableErrorPolicy policy, string hosts, string ethers)
    {
        await File.WriteAllTextAsync(HostsPath, hosts);
        await File.WriteAllTextAsync(EthersPath, ethers);
        return new TableStore(HostsPath, EthersPath, new DnsSettings(), t => _published = t, errorPolicy: policy);
    }

    private bool Resolves(string name) => _published is not null && _published.Names.ContainsKey(DnsName.KeyFromText(name));

    [Fact]
    public async Task Refuse_BadLineAtStart_NothingInService_StateSaysSoTruthfully()
    {
        using TableStore store = await StoreAsync(TableErrorPolicy.Refuse, "198.18.0.10 web\n198.18.0.300 bad\n198.18.0.11 db\n", "");
        TableResult<TableLoad> r = await store.ReloadAsync();
        Assert.False(r.Ok);
        Assert.Contains("no tables are in service", r.Error, StringComparison.Ordinal);
        Assert.Equal([$"{HostsPath}:2"], r.Details.Select(d => d[..d.IndexOf(": ", StringComparison.Ordinal)]));
        Assert.Null(_published);
        TableState hosts = store.HostsState!;
        Assert.False(hosts.Loaded);
        Assert.Equal(0, hosts.Lines);
        Assert.Equal(1, hosts.BadLines);
        Assert.StartsWith($"{HostsPath}:2: ", hosts.LastError, StringComparison.Ordinal);
        Assert.NotNull(hosts.CheckedAt);
        Assert.Null(hosts.LoadedAt);
        Assert.Equal(0, store.EthersState!.BadLines);
    }

    [Fact]
    public async Task Refuse_BadLineAtReload_TablesInServiceStay()
    {
        using TableStore store = await StoreAsync(TableErrorPolicy.Refuse, "198.18.0.10 web\n", "");
        Assert.True((await store.ReloadAsync()).Ok);
        DateTimeOffset? loadedAt = store.HostsState!.LoadedAt;
        await File.WriteAllTextAsync(HostsPath, "198.18.0.11 db\nnot-an-address x\n");
        TableResult<TableLoad> r = await store.ReloadAsync();
        Assert.False(r.Ok);
        Assert.Contains("the tables in service are unchanged", r.Error, StringComparison.Ordinal);
        Assert.True(Resolves("web"));
        Assert.False(Resolves("db"));
        TableState hosts = store.HostsState!;
        Assert.True(hosts.Loaded);
        Assert.Equal(1, hosts.Lines);
        Assert.Equal(1, hosts.BadLines);
        Assert.Equal(loadedAt, hosts.LoadedAt);
        Assert.NotEqual(hosts.LoadedAt, hosts.CheckedAt);
    }

    [Fact]
    public async Task Skip_GoodLinesServed_BadLinesReportedAndCounted()
    {
        using TableStore store = await StoreAsync(TableErrorPolicy.Skip,
            "198.18.0.10 web\n198.18.0.300 bad\n198.18.0.11 db\nzz only-junk\n",
            "02:00:00:00:00:10 198.18.0.10\n02:00:00:00:00:zz 198.18.0.11\n02:00:00:00:00:12 nosuchhost\n");
        TableResult<TableLoad> r = await store.ReloadAsync();
        Assert.True(r.Ok, r.Error);
        Assert.Equal(2, r.Value!.HostsBadLines);
        Assert.Equal(2, r.Value.EthersBadLines);
        Assert.Equal([$"{HostsPath}:2", $"{HostsPath}:4", $"{EthersPath}:2", $"{EthersPath}:3"],
            r.Details.Select(d => d[..d.IndexOf(": ", StringComparison.Ordinal)]));
        Assert.True(Resolves("web"));
        Assert.True(Resolves("db"));
        Assert.False(Resolves("bad"));
        Assert.Equal(2, store.HostsState!.Lines);
        Assert.Equal(2, store.HostsState.BadLines);
        Assert.Equal(1, store.EthersState!.Lines);
        Assert.Equal(2, store.EthersState.BadLines);
        Assert.Equal(store.HostsState.LoadedAt, store.HostsState.CheckedAt);
        Assert.True(_published!.Neighbors.ContainsKey(System.Net.IPAddress.Parse("198.18.0.10").GetAddressBytes()));
        Assert.False(_published.Neighbors.ContainsKey(System.Net.IPAddress.Parse("198.18.0.11").GetAddressBytes()));
    }

    [Fact]
    public async Task Skip_EthersEditWithBadLinesAlreadyThere_Accepted_ButNeverAddsOne()
    {
        using TableStore store = await StoreAsync(TableErrorPolicy.Skip, "198.18.0.10 web\n", "02:00:00:00:00:zz 198.18.0.11\n");
        Assert.True((await store.ReloadAsync()).Ok);
        TableResult<TableEdit> add = await store.AddNeighborAsync("02:00:00:00:00:10", "198.18.0.10");
        Assert.True(add.Ok, add.Error);
        Assert.Contains("02:00:00:00:00:zz 198.18.0.11", await File.ReadAllTextAsync(EthersPath), StringComparison.Ordinal);
        Assert.False((await store.AddNeighborAsync("02:00:00:00:00:1x", "198.18.0.12")).Ok);
    }

    [Fact]
    public async Task Skip_UnreadableFile_RefusedUnderEitherPolicy()
    {
        using TableStore store = await StoreAsync(TableErrorPolicy.Skip, "198.18.0.10 web\n", "");
        File.Delete(HostsPath);
        TableResult<TableLoad> r = await store.ReloadAsync();
        Assert.False(r.Ok);
        Assert.False(store.HostsState!.Loaded);
        Assert.StartsWith($"{HostsPath}:0: ", store.HostsState.LastError, StringComparison.Ordinal);
    }
}
