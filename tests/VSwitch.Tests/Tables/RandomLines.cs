using System.Text;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Tables;

/// <summary>
/// Seeded garbage for the table readers: random bytes decoded several ways, and good lines mutated
/// with the characters the syntax cares about. Shared by the hosts and ethers reader tests.
/// </summary>
internal static class RandomLines
{
    // Characters that sit on the syntax's edges: separators, comment, CR, address punctuation,
    // non-ASCII letters, NUL, a replacement character, a lone surrogate and a bidi override.
    private const string Interesting = "0123456789abcdefABCDEFxyz:.-_#%/[] \t\r\n\\\u00e9\u0000\ufffd\ud800\u202e";

    /// <summary>Yields <paramref name="count"/> random file texts derived from <paramref name="goodLines"/>.</summary>
    public static IEnumerable<string> Texts(int seed, int count, IReadOnlyList<string> goodLines)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            yield return (i % 4) switch
            {
                0 => RandomBytes(random),
                1 => RandomChars(random),
                _ => Mutate(random, goodLines),
            };
        }
    }

    /// <summary>
    /// Checks what must hold for any input: entries and errors come from distinct lines within the
    /// text, in order, and every reason is bounded and free of control characters.
    /// </summary>
    public static void AssertWellFormed<T>(TableParse<T> parse, string fileName, string text, Func<T, int> lineOf)
    {
        int lineCount = text.Split('\n').Length;
        int[] entryLines = parse.Entries.Select(lineOf).ToArray();
        int[] errorLines = parse.Errors.Select(e => e.Line).ToArray();
        Assert.All(entryLines.Concat(errorLines), line => Assert.InRange(line, 1, lineCount));
        Assert.Equal(entryLines.Order(), entryLines);
        Assert.Equal(errorLines.Order(), errorLines);
        Assert.Empty(entryLines.Intersect(errorLines));
        Assert.Equal(entryLines.Length, entryLines.Distinct().Count());
        Assert.Equal(errorLines.Length, errorLines.Distinct().Count());
        Assert.Equal(parse.Errors.Count == 0, parse.Ok);
        foreach (TableError error in parse.Errors)
        {
            Assert.Equal(fileName, error.File);
            Assert.NotEmpty(error.Reason);
            Assert.True(error.Reason.Length < 1000, $"reason of {error.Reason.Length} characters: {error.Reason}");
            Assert.DoesNotContain(error.Reason, c => char.IsControl(c) || char.IsSurrogate(c));
        }
    }

    private static string RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return random.Next(2) == 0 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
    }

    private static string RandomChars(Random random)
    {
        var text = new StringBuilder();
        int length = random.Next(0, 200);
        for (int i = 0; i < length; i++)
        {
            text.Append(random.Next(3) == 0
                ? (char)random.Next(0x10000)
                : Interesting[random.Next(Interesting.Length)]);
        }
        return text.ToString();
    }

    // Several good lines, each mutated a few times, so that most mutations land close to valid.
    private static string Mutate(Random random, IReadOnlyList<string> goodLines)
    {
        var lines = new List<string>();
        int count = random.Next(1, 6);
        for (int i = 0; i < count; i++)
        {
            var line = new StringBuilder(goodLines[random.Next(goodLines.Count)]);
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations; m++)
            {
                int at = random.Next(line.Length + 1);
                switch (random.Next(5))
                {
                    case 0:
                        line.Insert(at, Interesting[random.Next(Interesting.Length)]);
                        break;
                    case 1 when at < line.Length:
                        line.Remove(at, 1);
                        break;
                    case 2 when at < line.Length:
                        line[at] = Interesting[random.Next(Interesting.Length)];
                        break;
                    case 3:
                        // Repeat a stretch, which makes labels, groups and octets too long.
                        int length = random.Next(0, Math.Min(80, line.Length - at) + 1);
                        string stretch = line.ToString(at, length);
                        line.Insert(at, string.Concat(Enumerable.Repeat(stretch, random.Next(1, 5))));
                        break;
                    default:
                        line.Length = at;
                        break;
                }
            }
            lines.Add(line.ToString());
        }
        return string.Join(random.Next(2) == 0 ? "\n" : "\r\n", lines);
    }
}
