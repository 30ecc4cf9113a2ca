using System.Text.RegularExpressions;

namespace VSwitch.Tests.Layering;

/// <summary>The datapath's namespaces form layers (STYLE.md): each uses only those below it, so
/// the tree reads bottom-up and a new feature finds its place before its first line.</summary>
public partial class LayerTests
{
    // Bottom first. Switching and Peephole share a layer and may not use each other.
    private static readonly string[][] Layers =
    [
        ["Files"], ["Frames"], ["Buffers"], ["Counters"], ["Capture"], ["Ports"], ["Offload"], ["Tables"], ["Tenancy"],
        ["Switching", "Peephole"], ["Tracing"], ["Pipeline"],
    ];

    [GeneratedRegex(@"^namespace\s+VSwitch\.Datapath\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    // `using VSwitch.Datapath.X;`, and qualified names `VSwitch.Datapath.X.Type` or `Datapath.X.Type`.
    [GeneratedRegex(@"^using\s+VSwitch\.Datapath\.(\w+)[\w.]*\s*;|\bDatapath\.(\w+)\.\w", RegexOptions.Multiline)]
    private static partial Regex Use();

    [Fact]
    public void Datapath_EveryNamespace_UsesOnlyLayersBelowIt()
    {
        string src = Path.Combine(RepoRoot(), "src", "VSwitch.Datapath");
        var violations = new List<string>();
        int files = 0;
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains("/obj/", StringComparison.Ordinal) || file.Contains("/bin/", StringComparison.Ordinal)) continue;
            string text = File.ReadAllText(file);
            Match ns = NamespaceLine().Match(text);
            if (!ns.Success) continue;
            files++;
            string me = ns.Groups[1].Value;
            int mine = LayerOf(me);
            Assert.True(mine >= 0, $"{file}: namespace {me} is in no layer; give it one in STYLE.md's order and in this test");
            foreach (Match use in Use().Matches(text))
            {
                string other = use.Groups[1].Success ? use.Groups[1].Value : use.Groups[2].Value;
                if (other == me) continue;
                int theirs = LayerOf(other);
                if (theirs < 0) continue;
                if (theirs >= mine) violations.Add($"{Path.GetRelativePath(src, file)}: {me} uses {other}, which is not below it");
            }
        }
        Assert.True(files > 50, $"only {files} files found under {src}");
        Assert.True(violations.Count == 0, string.Join("\n", violations.Distinct()));
    }

    private static int LayerOf(string ns)
    {
        for (int i = 0; i < Layers.Length; i++)
            if (Layers[i].Contains(ns)) return i;
        return -1;
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VSwitch.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("No VSwitch.sln above " + AppContext.BaseDirectory);
    }
}
