using System.Globalization;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Storage;
using VSwitch.Datapath.Files;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Tables;

/// <summary>Every untrusted file is read within bounds: a device or a huge file is refused, not read.</summary>
public sealed class BoundedFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-bounded").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Lines_CrLfAndNoFinalNewline_KeptAsWritten()
    {
        string path = Path.Combine(_dir, "f");
        File.WriteAllText(path, "\uFEFFa\r\nb\nc");
        var lines = new List<(string, int)>();
        Assert.True(BoundedFile.TryReadLines(path, (l, n) => lines.Add((l, n)), out bool newline, out string reason), reason);
        Assert.Equal([("a\r", 1), ("b", 2), ("c", 3)], lines);
        Assert.False(newline);
    }

    [Fact]
    public void DevZero_RefusedAtTheLimit_NotReadWhole()
    {
        // /dev/zero has no line breaks: the line bound stops it long before the size bound.
        Assert.False(BoundedFile.TryReadLines("/dev/zero", (_, _) => { }, out _, out string reason));
        Assert.Contains("longer than the limit", reason, StringComparison.Ordinal);
        Assert.False(BoundedFile.TryReadAllText("/dev/zero", out _, out reason, maxBytes: 1 << 20));
        Assert.Contains("larger than the limit of 1048576 bytes", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ManyShortLines_RefusedPastTheSizeLimit()
    {
        string path = Path.Combine(_dir, "big");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("198.18.0.1 a\n", 1000)));
        Assert.False(BoundedFile.TryReadLines(path, (_, _) => { }, out _, out string reason, maxBytes: 4096));
        Assert.Contains("larger than the limit", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TableStore_HostsIsDevZero_LoadRefusedWithTheReason()
    {
        var store = new TableStore("/dev/zero", null, new DnsSettings(), _ => { });
        TableResult<TableLoad> load = await store.ReloadAsync();
        Assert.False(load.Ok);
        Assert.Contains(load.Details, d => d.StartsWith("/dev/zero:0:", StringComparison.Ordinal) && d.Contains("limit", StringComparison.Ordinal));
        store.Dispose();
    }

    [Fact]
    public void ConfigFile_DevZero_RefusedWithTheReason()
    {
        var errors = new List<ConfigError>();
        Assert.Null(ConfigFileReader.Load("/dev/zero", new SwitchConfig(), errors));
        Assert.Contains("larger than the limit", Assert.Single(errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TableFiles_OneLoader_StreamsHostsAndNamesTheBadLines()
    {
        string hosts = Path.Combine(_dir, "hosts"), ethers = Path.Combine(_dir, "ethers");
        File.WriteAllText(hosts, "198.18.0.10 web\n198.18.0.300 bad\n");
        File.WriteAllText(ethers, "02:00:00:00:00:10 nosuch\n");
        TableFileLoad load = TableFiles.Read(hosts, ethers, new DnsSettings());
        Assert.Null(load.Tables);
        Assert.Equal($"{hosts}:2", string.Join(",", load.Errors.Select(e => $"{e.File}:{e.Line}")));
    }

    [Fact]
    public void TableFiles_LargeHostsFile_ReadAlongsideTheBuilderInFileOrder()
    {
        // Past 1 MiB the lines are read on another thread: the result must be what one thread gives.
        string hosts = Path.Combine(_dir, "hosts");
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 40_000; i++) text.Append(CultureInfo.InvariantCulture, $"198.18.{i / 256 % 256}.{i % 256}\thost-{i}.bench.cluster.local h{i}\n");
        text.Append("198.18.0.1\tfirst-again\n");   // a later line for an address keeps the first line's name
        File.WriteAllText(hosts, text.ToString());
        Assert.True(new FileInfo(hosts).Length > 1 << 20);

        TableFileLoad load = TableFiles.Read(hosts, null, new DnsSettings());

        Assert.Empty(load.Errors);
        Assert.Equal(40_001, load.HostsLines);
        PeepholeTables tables = load.Tables!;
        Assert.True(tables.Names.ContainsKey(DnsName.KeyFromText("host-39999.bench.cluster.local")));
        Assert.True(tables.Names.ContainsKey(DnsName.KeyFromText("first-again")));
        Assert.True(tables.TryGetPtrName([198, 18, 0, 1], out ReadOnlySpan<byte> ptr));
        Assert.Equal("host-1.bench.cluster.local", DnsName.ToText(ptr));

        File.AppendAllText(hosts, "198.18.0.300 bad\n");
        Assert.Equal($"{hosts}:40002", string.Join(",", TableFiles.Read(hosts, null, new DnsSettings()).Errors.Select(e => $"{e.File}:{e.Line}")));
    }
}
