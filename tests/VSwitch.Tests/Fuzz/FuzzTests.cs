using System.Diagnostics;
using VSwitch.Tests.CrossCheck;
using VSwitch.Tests.Fuzz.Targets;
using VSwitch.Tests.Scenarios;

namespace VSwitch.Tests.Fuzz;

/// <summary>
/// The bounded fuzz run CI does: every target, its whole seed corpus, then a fixed number of
/// seeded mutations. Any exception or broken invariant fails the test with the execution, and
/// the input in hex; the SharpFuzz harness in tests/VSwitch.Fuzz runs the same targets without
/// bounds. Crashers it finds are kept in tests/VSwitch.Fuzz/Regressions/TARGET/ and replayed here.
/// </summary>
/// <remarks>The receive path's replies are also judged by parsers we did not write
/// (<see cref="ReplyOracle"/>): a frame the switch sends back to the port a frame came from must
/// answer exactly the question asked, whatever the mutation did to it.</remarks>
public class FuzzTests(ITestOutputHelper output)
{
    private const int Seed = 6_2026;

    public static TheoryData<string, int> Budgets => new()
    {
        { "receive-path", 400_000 },
        { "hosts", 15_000 },
        { "ethers", 15_000 },
        { "config", 20_000 },
    };

    [Theory]
    [MemberData(nameof(Budgets))]
    public void Target_SeedsAndSeededMutations_NeverThrow(string name, int executions)
    {
        FuzzTargetInfo info = FuzzTargets.Find(name);
        List<byte[]> seeds = info.Seeds();
        Assert.NotEmpty(seeds);
        IFuzzTarget target = Create(info);
        var mutator = new Mutator(new Random(Seed), seeds, info.Tokens, maxLength: 9216);
        var clock = Stopwatch.StartNew();
        long bytes = 0;

        for (int i = 0; i < seeds.Count; i++) Execute(target, name, $"seed {i}", seeds[i]);
        for (int i = 0; i < executions; i++)
        {
            byte[] input = mutator.Next();
            bytes += input.Length;
            Execute(target, name, $"mutation {i} (seed {Seed})", input);
        }
        if (target is ReceivePathTarget path)
        {
            // What the inputs came to, so that a run which never reaches the responders shows it.
            foreach (var (counter, value) in path.Loop.CounterSnapshot())
            {
                if (value != 0 && (counter.StartsWith("peephole/", StringComparison.Ordinal) || counter.StartsWith("port/p1/drop/", StringComparison.Ordinal)))
                    output.WriteLine($"  {counter} {value}");
            }
        }
        (target as IDisposable)?.Dispose();
        output.WriteLine($"{name}: {seeds.Count} seeds and {executions} mutated inputs ({bytes / Math.Max(1, executions)} bytes on average) " +
            $"in {clock.Elapsed.TotalSeconds:F1} s, no crash" + (name == "receive-path" ? $"; {_replies} replies judged by PacketDotNet and Makaretu.Dns" : ""));
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Target_RegressionInputs_NeverThrow(string name)
    {
        string dir = Path.Combine(RegressionsRoot, name);
        string[] files = Directory.Exists(dir) ? [.. Directory.GetFiles(dir).Order(StringComparer.Ordinal)] : [];
        IFuzzTarget target = FuzzTargets.Find(name).Create();
        foreach (string file in files)
        {
            if (Path.GetFileName(file) == "README.md") continue;
            Execute(target, name, "regression " + Path.GetFileName(file), File.ReadAllBytes(file));
        }
        (target as IDisposable)?.Dispose();
        output.WriteLine($"{name}: {files.Length} regression input(s) replayed");
    }

    public static TheoryData<string> TargetNames => new(FuzzTargets.All.Select(t => t.Name));

    /// <summary>Where the harness's crashers are kept, one folder per target.</summary>
    public static string RegressionsRoot => Path.Combine(SeedCorpus.RepositoryRoot, "tests", "VSwitch.Fuzz", "Regressions");

    private int _replies;

    private IFuzzTarget Create(FuzzTargetInfo info)
    {
        if (info.Name != "receive-path") return info.Create();
        TableModel model = TableModel.Load(Path.Combine(ScenarioFiles.CapturesRoot, "peephole", "dns-answers"));
        return new ReceivePathTarget((frame, inPort, outPort, emitted) =>
        {
            // A frame forwarded to another port is the frame that came in, give or take one VLAN
            // tag (popped on an access port, pushed on a trunk); an inner tag stays as it was.
            byte[] untagged = ReplyOracle.Untag(frame).Frame, emittedUntagged = ReplyOracle.Untag(emitted).Frame;
            if (outPort != inPort && (emitted.AsSpan().SequenceEqual(frame) || emitted.AsSpan().SequenceEqual(untagged) ||
                                      emittedUntagged.AsSpan().SequenceEqual(frame) || emittedUntagged.AsSpan().SequenceEqual(untagged)))
                return;
            // A reply to the asker's port keeps the asker's tagging; a duplicate-address answer goes
            // to every port (all-nodes) and takes each port's own tagging, so it is judged untagged.
            if (outPort == inPort) ReplyOracle.AssertAnswers(frame, emitted, model);
            else ReplyOracle.AssertAnswers(untagged, ReplyOracle.Untag(emitted).Frame, model);
            _replies++;
        });
    }

    private static void Execute(IFuzzTarget target, string name, string which, byte[] input)
    {
        try
        {
            target.Run(input);
        }
        catch (Exception e)
        {
            Assert.Fail($"{name}, {which}: {e.GetType().Name}: {e.Message}\ninput ({input.Length} bytes): {Convert.ToHexString(input)}\n{e}");
        }
    }
}
