using System.Diagnostics;
using VSwitch.Datapath.Files;
using VSwitch.Datapath.Tables;

namespace VSwitch.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/VSwitch.Benchmarks -- table-load HOSTS</c>: where the
/// time of loading a hosts file goes, stage by stage (read, parse, build), and the heap it leaves.
/// </summary>
public static class TableLoad
{
    public static void Run(string hosts)
    {
        var sw = Stopwatch.StartNew();
        long lines = 0;
        BoundedFile.TryReadLines(hosts, (_, _) => lines++, out _, out _);
        Console.WriteLine($"read lines:  {sw.ElapsedMilliseconds,6} ms ({lines:N0} lines)");

        sw.Restart();
        var errors = new List<TableError>();
        int entries = HostsFileReader.Stream(hosts, _ => { }, errors);
        Console.WriteLine($"parse:       {sw.ElapsedMilliseconds,6} ms ({entries:N0} entries, {errors.Count} errors)");

        sw.Restart();
        sw.Restart();
        var builder = new TableBuilder("", (int)(new FileInfo(hosts).Length / 32));
        HostsFileReader.Stream(hosts, builder.AddHost, errors);
        Console.WriteLine($"parse+add:   {sw.ElapsedMilliseconds,6} ms");
        sw.Restart();
        PeepholeTables tables = builder.Build(new DnsSettings());
        Console.WriteLine($"build maps:  {sw.ElapsedMilliseconds,6} ms");
        builder = null!;
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"heap after:  {heap / 1048576.0,6:F1} MiB; maps {(tables.Names.SizeInBytes + tables.Reverse.SizeInBytes) / 1048576.0:F1} MiB " +
                          $"(names {tables.Names.Count:N0}, reverse {tables.Reverse.Count:N0})");
        GC.KeepAlive(tables);
    }
}
