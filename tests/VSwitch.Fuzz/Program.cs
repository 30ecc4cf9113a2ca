using SharpFuzz;
using VSwitch.Tests.Fuzz;

// vswitch-fuzz: the fuzz targets of tests/VSwitch.Tests/Fuzz under a coverage-guided engine.
// See README.md for the hour-long AFL++ and libFuzzer runs. The commands:
//
//   vswitch-fuzz afl TARGET          one AFL++ fork-server child (input on stdin); afl-fuzz starts it
//   vswitch-fuzz libfuzzer TARGET    the libFuzzer loop, started by the libfuzzer-dotnet driver
//   vswitch-fuzz seeds TARGET DIR    writes the seed corpus (captures, table files, docs) to DIR
//   vswitch-fuzz dict TARGET FILE    writes the target's tokens as an AFL/libFuzzer dictionary
//   vswitch-fuzz run TARGET FILE...  runs files once each (triage a crash, check a regression)
//
// Exit status: 0 done, 1 an input crashed (run), 2 bad usage.

if (args.Length < 2) return Usage();
FuzzTargetInfo info;
try
{
    info = FuzzTargets.Find(args[1]);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

switch (args[0])
{
    // The target is built inside the first execution, not before: building it runs instrumented
    // code, whose coverage counters point into the engine's shared memory, and that exists only
    // once Run has attached it (before, the first counter write is an access violation).
    case "afl":
    {
        IFuzzTarget? target = null;
        Fuzzer.OutOfProcess.Run(stream =>
        {
            target ??= info.Create();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
        });
        return 0;
    }
    case "libfuzzer":
    {
        IFuzzTarget? target = null;
        Fuzzer.LibFuzzer.Run(span =>
        {
            target ??= info.Create();
            target.Run(span);
        });
        return 0;
    }
    case "seeds" when args.Length == 3:
    {
        Directory.CreateDirectory(args[2]);
        List<byte[]> seeds = info.Seeds();
        for (int i = 0; i < seeds.Count; i++) File.WriteAllBytes(Path.Combine(args[2], $"seed-{i:D4}"), seeds[i]);
        Console.WriteLine($"{seeds.Count} seeds for {info.Name} in {args[2]}");
        return 0;
    }
    case "dict" when args.Length == 3:
    {
        // AFL and libFuzzer share this format: name="value" with \xNN escapes.
        var lines = info.Tokens.Select((t, i) => $"t{i}=\"{string.Concat(t.Select(b => b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}"))}\"");
        File.WriteAllLines(args[2], lines);
        return 0;
    }
    case "run" when args.Length >= 3:
    {
        IFuzzTarget target = info.Create();
        int crashed = 0;
        foreach (string file in args[2..])
        {
            byte[] input = File.ReadAllBytes(file);
            try
            {
                target.Run(input);
                Console.WriteLine($"{file}: ok");
            }
            catch (Exception e)
            {
                crashed++;
                Console.WriteLine($"{file}: CRASH {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(input)}\n{e}");
            }
        }
        (target as IDisposable)?.Dispose();
        return crashed == 0 ? 0 : 1;
    }
    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: vswitch-fuzz afl|libfuzzer TARGET | seeds TARGET DIR | dict TARGET FILE | run TARGET FILE...");
    Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
    return 2;
}
