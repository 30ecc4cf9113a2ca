using BenchmarkDotNet.Running;
using VSwitch.Benchmarks;

// Micro benchmarks: dotnet run -c Release --project bench/VSwitch.Benchmarks -- --filter '*' [--job short]
// Table scale report: dotnet run -c Release --project bench/VSwitch.Benchmarks -- tables
// Where a hosts file's load time goes: ... -- table-load HOSTS
// Forwarding with and without a stats reader at 100 reads/s: ... -- stats-readers [ROUNDS] [SECONDS]
// Forwarding with and without a Prometheus scrape every 100 ms: ... -- metrics-scrape [ROUNDS] [SECONDS]
if (args is ["table-load", string file])
{
    VSwitch.Benchmarks.TableLoad.Run(file);
    return;
}
if (args is ["stats-readers", ..])
{
    VSwitch.Benchmarks.StatsReaders.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6,
        args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3);
    return;
}
if (args is ["metrics-scrape", ..])
{
    VSwitch.Benchmarks.MetricsScrape.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6,
        args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3);
    return;
}
if (args is ["tables"])
{
    TableScale.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
