using BenchmarkDotNet.Running;
using VSwitch.Benchmarks;

// Micro benchmarks: dotnet run -c Release --project bench/VSwitch.Benchmarks -- --filter '*' [--job short]
// Table scale report: dotnet run -c Release --project bench/VSwitch.Benchmarks -- tables
if (args is ["table-load", string file])
{
    VSwitch.Benchmarks.TableLoad.Run(file);
    return;
}
if (args is ["tables"])
{
    TableScale.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
