using System.Text.RegularExpressions;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Control.Commands;
using VSwitch.Daemon.Logging;

namespace VSwitch.Tests.Packaging;

/// <summary>packaging/vswitch.bash-completion offers exactly the programs' words: vswitchctl's commands and
/// subcommands, vswitchd's keys, the log levels. A command or key added without it fails here.</summary>
public sealed partial class CompletionTests
{
    private static readonly string Script = File.ReadAllText(Path.Combine(Config.ConfigFileReaderTests.RepoRoot(), "packaging", "vswitch.bash-completion"));

    private static string[] Words(string variable) =>
        [.. Regex.Match(Script, $"local {variable}=\"([^\"]*)\"").Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    [Fact]
    public void Commands_AreVswitchctls()
    {
        Assert.Equal([.. CommandRegistry.All.Select(c => c.Name.Split('/')[0]).Distinct().Order(StringComparer.Ordinal)], Words("commands"));
        foreach (var group in CommandRegistry.All.Where(c => c.Name.Contains('/', StringComparison.Ordinal)).GroupBy(c => c.Name.Split('/')[0]))
        {
            Match m = Regex.Match(Script, $@"1:{group.Key}\b[^)]*\) COMPREPLY=\(\$\(compgen -W ""([^""]*)""");
            Assert.True(m.Success, $"no subcommands completed for '{group.Key}'");
            Assert.Equal([.. group.Select(c => c.Name.Split('/')[1]).Order(StringComparer.Ordinal)],
                m.Groups[1].Value.Split(' ').Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Keys_AreVswitchds() =>
        Assert.Equal([.. ConfigKeys.All.Select(k => "--" + k.Name).Concat(["--config", "--help", "--version"]).Order(StringComparer.Ordinal)], Words("keys"));

    [Fact]
    public void LogLevels_AreTheDaemons()
    {
        foreach (Match m in LevelLists().Matches(Script)) Assert.Equal(LogLevelSwitch.Names, m.Groups[1].Value.Split(' '));
        Assert.Equal(2, LevelLists().Count(Script));
    }

    [GeneratedRegex(@"compgen -W ""(trace[^""]*)""")]
    private static partial Regex LevelLists();
}
