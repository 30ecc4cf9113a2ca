using System.Buffers.Binary;
using VSwitch.Datapath.Peephole.Arp;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Datapath.Peephole.Neighbor;
using VSwitch.Tests.CrossCheck;
using VSwitch.Tests.Peephole;
using VSwitch.Datapath.Counters;

namespace VSwitch.Tests.PropertyTests;

/// <summary>
/// Seeded well-formed, mutated and random frames through the real forwarding loop with the
/// dns-answers tables (zone cluster.local): whatever comes in, nothing throws, no slot leaks,
/// and every frame the switch writes is a reply that parsers we did not write decode and that
/// answers exactly the question asked; and every well-formed question the tables answer is answered.
/// </summary>
public class PeepholePropertyTests(ITestOutputHelper output)
{
    private const int Seed = 20_260_101;
    private const int Iterations = 20_000;

    [Fact]
    public void ForwardingLoop_GeneratedAndMutatedFrames_EveryReplyAnswersTheQuestionAsked()
    {
        using var sw = new PeepholeTestSwitch();
        var generator = new PeepholeFrameGenerator(new Random(Seed), sw.Model);
        var frames = new Dictionary<ReplyOracle.Kind, int>();
        int answered = 0;

        for (int i = 0; i < Iterations; i++)
        {
            var (frame, shape, mustAnswer) = generator.Next();
            string Describe() => $"iteration {i} (seed {Seed}), {shape}:\n{Convert.ToHexString(frame)}";

            List<(int Port, byte[] Frame)> sent;
            try
            {
                sent = sw.Send(frame);
            }
            catch (Exception e)
            {
                Assert.Fail($"{Describe()}\nthrew {e}");
                throw;
            }
            Assert.True(sw.Pool.Available == sw.Pool.SlotCount, $"{Describe()}\nleft {sw.Pool.SlotCount - sw.Pool.Available} slot(s) rented");

            byte[] forwarded = AsForwarded(frame);
            bool replied = false;
            foreach (var (port, emitted) in sent)
            {
                if (emitted.AsSpan().SequenceEqual(forwarded)) continue;
                replied = true;
                try
                {
                    ReplyOracle.Kind kind = ReplyOracle.AssertAnswers(frame, emitted, sw.Model);
                    frames[kind] = frames.GetValueOrDefault(kind) + 1;
                }
                catch (Exception e)
                {
                    Assert.Fail($"{Describe()}\nthe switch wrote on p{port + 1}:\n{Convert.ToHexString(emitted)}\n{e}");
                }
            }
            if (replied) answered++;
            if (mustAnswer is bool must && must != replied)
                Assert.Fail($"{Describe()}\n{(must ? "was not answered, though the tables answer it" : "was answered, though it must be forwarded")}");
        }

        Dictionary<string, long> counters = sw.Loop.CounterSnapshot()
            .Where(kv => kv.Key.StartsWith("peephole/", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        output.WriteLine($"{Iterations} frames, {answered} answered ({100.0 * answered / Iterations:F1}%); reply frames: " +
            string.Join(", ", frames.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}")));
        foreach (var (path, value) in counters.OrderBy(kv => kv.Key, StringComparer.Ordinal)) output.WriteLine($"{path} {value}");

        // The run was really exercised: many answers, and every outcome of every responder.
        Assert.True(answered > Iterations / 5, $"only {answered} of {Iterations} frames were answered");
        var missing = Enum.GetValues<DnsOutcome>().Select(o => "peephole/dns/" + DnsOutcomes.Name(o))
            .Concat(Enum.GetValues<ArpOutcome>().Select(o => "peephole/arp/" + ArpOutcomes.Name(o)))
            .Concat(Enum.GetValues<NdOutcome>().Select(o => "peephole/nd/" + NdOutcomes.Name(o)))
            // A guard that never counts: a truncated reply is never longer than its query, which fitted the port.
            .Where(path => path != "peephole/dns/forwarded-too-big")
            .Where(path => counters[path] == 0).ToList();
        Assert.True(missing.Count == 0, "never reached: " + string.Join(", ", missing));
        Assert.Equal(0, counters["peephole/dns/forwarded-too-big"]);

        // Every reply counted left the switch, once per asker (DAD answers go to all three ports).
        long Count(string path) => counters["peephole/" + path];
        Assert.Equal(Count("dns/replied") + Count("dns/nxdomain") + Count("dns/nodata") + Count("dns/badvers") + Count("dns/truncated"),
            frames.GetValueOrDefault(ReplyOracle.Kind.Dns));
        Assert.Equal(Count("arp/replied"), frames.GetValueOrDefault(ReplyOracle.Kind.Arp));
        Assert.Equal(Count("nd/replied") + 3 * Count("nd/replied-dad"), frames.GetValueOrDefault(ReplyOracle.Kind.Nd));
    }

    // A forwarded frame leaves as it came, except that a priority tag (VLAN 0) on an access port is removed.
    private static byte[] AsForwarded(byte[] frame)
    {
        (byte[] untagged, int? vlan) = ReplyOracle.Untag(frame);
        return vlan == 0 && frame.Length >= 18 && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == 0x8100 ? untagged : frame;
    }
}
