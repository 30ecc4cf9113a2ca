using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/VSwitch.Benchmarks -- --filter '*'
// Quicker: add --job short. Results land in BenchmarkDotNet.Artifacts/.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
