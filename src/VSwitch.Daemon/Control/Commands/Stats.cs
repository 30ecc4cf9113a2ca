using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Datapath.Files;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>stats</c>: every counter by path (datapath, supervision, control, tables) and the process's figures.</summary>
public sealed class Stats : ControlCommand<StatsResult>
{
    public override string Name => "stats";
    public override string Summary => "every counter, by path (port/NAME/..., fdb/..., peephole/..., process/...)";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [new("prefix", "[PREFIX]", Min: 0)];
    public override JsonTypeInfo<StatsResult> ResultType => ControlJsonContext.Default.StatsResult;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        string prefix = args.Get("prefix") ?? "";
        List<KeyValuePair<string, long>> all = await daemon.CountersAsync(cancel).ConfigureAwait(false);
        var counters = new Dictionary<string, long>();
        foreach (var (path, value) in all)
            if (path.StartsWith(prefix, StringComparison.Ordinal)) counters[path] = value;
        // A prefix that matches nothing is a typo far more often than a question: say so, and fail.
        if (counters.Count == 0)
        {
            string[] tops = [.. all.Select(kv => kv.Key.Split('/')[0] + "/").Distinct()];
            return CommandOutcome.Fail($"no counter path starts with '{UntrustedText.Escape(prefix.Length <= 60 ? prefix : prefix[..60] + "...")}'; the paths start with {string.Join(", ", tops)}");
        }
        return Success(new StatsResult(counters));
    }

    protected override TextView Render(StatsResult result) => TextView.Table(["counter", "value"],
        result.Counters.Select(kv => new[] { kv.Key, kv.Value.ToString(CultureInfo.InvariantCulture) }));
}

/// <param name="Counters">Every counter, path to value, in a stable order (ports in port order).</param>
public sealed record StatsResult(IReadOnlyDictionary<string, long> Counters);
