using System.Net;
using VSwitch.Daemon.Storage;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Storage;

/// <summary>Hosts edits of a large file: journaled and fsynced before they are acknowledged, folded
/// into the file later, and never lost across a restart or a fold cut short.</summary>
public sealed class HostsJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-journal").FullName;
    private PeepholeTables? _published;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string HostsPath => Path.Combine(_dir, "hosts");
    private string JournalPath => HostsPath + ".journal";

    // foldAtOnceBelowBytes: 0 makes every file "large": edits stay in the journal until a fold.
    private async Task<TableStore> OpenAsync(string? hosts = null)
    {
        if (hosts is not null) await File.WriteAllTextAsync(HostsPath, hosts);
        var store = new TableStore(HostsPath, null, new DnsSettings(), t => _published = t, foldAtOnceBelowBytes: 0);
        TableResult<TableLoad> load = await store.ReloadAsync();
        Assert.True(load.Ok, string.Join('\n', load.Details));
        return store;
    }

    private bool Resolves(string name) => _published!.Names.ContainsKey(DnsName.KeyFromText(name));

    private string? Ptr(string address) =>
        _published!.TryGetPtrName(IPAddress.Parse(address).GetAddressBytes(), out ReadOnlySpan<byte> name)
            ? DnsName.ToText(name) : null;

    [Fact]
    public async Task Add_LargeFile_JournaledAndAnswering_FileUntilFolded()
    {
        using TableStore store = await OpenAsync("# lab\n198.18.0.10 web\n");
        TableResult<TableEdit> r = await store.AddHostAsync("198.18.0.11", ["db"]);
        Assert.True(r.Ok, r.Error);
        Assert.True(Resolves("db"));
        Assert.Equal("# lab\n198.18.0.10 web\n", await File.ReadAllTextAsync(HostsPath));
        Assert.Equal("# vswitch hosts journal v1\n+ 198.18.0.11 db\n", await File.ReadAllTextAsync(JournalPath));
        Assert.Equal(1, store.PendingHostsEdits);

        Assert.True(await store.FoldAsync());
        Assert.Equal("# lab\n198.18.0.10 web\n198.18.0.11\tdb\n", await File.ReadAllTextAsync(HostsPath));
        Assert.False(File.Exists(JournalPath));
        Assert.Equal(0, store.PendingHostsEdits);
        Assert.Equal(1, store.Folds);
    }

    [Fact]
    public async Task Restart_WithUnfoldedJournal_FoldsItAndAnswers()
    {
        using (TableStore store = await OpenAsync("198.18.0.10 web www\n198.18.0.12 mail\n"))
        {
            Assert.True((await store.AddHostAsync("198.18.0.11", ["db"])).Ok);
            Assert.True((await store.DeleteHostAsync("web")).Ok);
            Assert.True((await store.DeleteHostAsync("mail")).Ok);
        }
        // A new store (the next daemon) finds the journal: nothing acknowledged is lost.
        using TableStore next = await OpenAsync();
        Assert.True(Resolves("db"));
        Assert.True(Resolves("www"));
        Assert.False(Resolves("web"));
        Assert.False(Resolves("mail"));
        Assert.Equal("198.18.0.10\twww\n198.18.0.11\tdb\n", await File.ReadAllTextAsync(HostsPath));
        Assert.False(File.Exists(JournalPath));
    }

    [Fact]
    public async Task Journal_LastLineCutShort_IsIgnored_BadLineRefusesTheLoad()
    {
        await File.WriteAllTextAsync(HostsPath, "198.18.0.10 web\n");
        await File.WriteAllTextAsync(JournalPath, "# vswitch hosts journal v1\n+ 198.18.0.11 db\n+ 198.18.0.12 ma");
        using (TableStore store = await OpenAsync())
        {
            Assert.True(Resolves("db"));
            Assert.False(Resolves("ma"));
        }
        await File.WriteAllTextAsync(JournalPath, "# vswitch hosts journal v1\n* 198.18.0.13 x\n+ 198.18.0.14 y\n");
        var bad = new TableStore(HostsPath, null, new DnsSettings(), _ => { });
        TableResult<TableLoad> load = await bad.ReloadAsync();
        Assert.False(load.Ok);
        Assert.Contains(load.Details, d => d.StartsWith(JournalPath + ":2:", StringComparison.Ordinal));
        bad.Dispose();
    }

    [Fact]
    public async Task Delete_CanonicalName_FirstLineLeftNamesTheAddress_WithoutTheFile()
    {
        using TableStore store = await OpenAsync("198.18.0.10 web.lab www # front\n198.18.0.10 other\n");
        Assert.Equal("web.lab", Ptr("198.18.0.10"));
        TableResult<TableEdit> r = await store.DeleteHostAsync("web.lab");
        Assert.True(r.Ok, r.Error);
        Assert.Equal("www", Ptr("198.18.0.10"));
        Assert.Equal(["198.18.0.10\tweb.lab www"], r.Value!.Removed);
        Assert.Equal(["198.18.0.10\twww"], r.Value!.Added);
        Assert.True((await store.DeleteHostAsync("www")).Ok);
        Assert.Equal("other", Ptr("198.18.0.10"));

        // The listing is the file as it will be written, journal included.
        TableResult<List<HostsLine>> list = store.ListHosts();
        Assert.True(list.Ok, list.Error);
        Assert.Equal(["other"], Assert.Single(list.Value!).Names);
        Assert.True(await store.FoldAsync());
        Assert.Equal("198.18.0.10 other\n", await File.ReadAllTextAsync(HostsPath));
    }

    [Fact]
    public async Task Add_AlreadyInTheTable_WritesNothing()
    {
        using TableStore store = await OpenAsync("198.18.0.10 web www\n");
        TableResult<TableEdit> r = await store.AddHostAsync("198.18.0.10", ["www"]);
        Assert.True(r.Ok, r.Error);
        Assert.False(r.Value!.Changed);
        Assert.False(File.Exists(JournalPath));
    }

    [Fact]
    public async Task Fold_RunTwice_ChangesNothingTheSecondTime()
    {
        // A fold whose rename landed but whose journal was not cut yet (a crash between the two)
        // is folded again at the next start: the result must be the same file.
        await File.WriteAllTextAsync(HostsPath, "198.18.0.10 web\n");
        List<HostsOperation> ops = [new(IPAddress.Parse("198.18.0.11"), ["db"]), new(null, ["web"]), new(IPAddress.Parse("198.18.0.12"), ["web"])];
        var once = new List<string>();
        Assert.True(HostsCompaction.TryFold(HostsPath, ops, once.Add, out _));
        await File.WriteAllTextAsync(HostsPath, string.Join('\n', once) + "\n");
        var twice = new List<string>();
        Assert.True(HostsCompaction.TryFold(HostsPath, ops, twice.Add, out _));
        Assert.Equal(["198.18.0.11\tdb", "198.18.0.12\tweb"], once);
        Assert.Equal(once, twice);
    }

    [Fact]
    public async Task Edit_FileChangedByHandBeforeTheFold_RefusedAndTheFoldLeavesTheFileAlone()
    {
        using TableStore store = await OpenAsync("198.18.0.10 web\n");
        Assert.True((await store.AddHostAsync("198.18.0.11", ["db"])).Ok);
        await File.WriteAllTextAsync(HostsPath, "198.18.0.10 web\n198.18.0.99 by-hand\n");
        File.SetLastWriteTimeUtc(HostsPath, DateTime.UtcNow.AddSeconds(5));
        TableResult<TableEdit> r = await store.AddHostAsync("198.18.0.12", ["mail"]);
        Assert.False(r.Ok);
        Assert.Contains("changed on disk", r.Error, StringComparison.Ordinal);
        Assert.False(await store.FoldAsync());
        Assert.Equal("198.18.0.10 web\n198.18.0.99 by-hand\n", await File.ReadAllTextAsync(HostsPath));
        // A reload keeps both: the hand edit and the journaled one.
        Assert.True((await store.ReloadAsync()).Ok);
        Assert.True(Resolves("by-hand"));
        Assert.True(Resolves("db"));
    }

    [Fact]
    public async Task ManyEdits_FoldInTheBackground_WhileEditsGoOn()
    {
        using TableStore store = await OpenAsync("198.18.0.1 first\n");
        for (int i = 0; i < 200; i++)
            Assert.True((await store.AddHostAsync($"198.18.1.{i}", [$"h{i}"])).Ok);
        Task<bool> fold = store.FoldAsync();
        for (int i = 0; i < 50; i++)
            Assert.True((await store.AddHostAsync($"198.18.2.{i}", [$"g{i}"])).Ok);
        await fold;
        Assert.True(await store.FoldAsync());
        string[] lines = await File.ReadAllLinesAsync(HostsPath);
        Assert.Equal(251, lines.Length);
        Assert.Equal("198.18.2.49\tg49", lines[^1]);
        Assert.False(File.Exists(JournalPath));
    }
}
