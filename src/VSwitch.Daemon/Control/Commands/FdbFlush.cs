using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>fdb flush [PORT]</c>: forgets the learned addresses (of one port, or all).</summary>
public sealed class FdbFlush : ControlCommand<FdbFlushResult>
{
    public override string Name => "fdb/flush";
    public override string Summary => "forget the learned addresses, of one port or of all";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [new("port", "[PORT]", Min: 0)];
    public override JsonTypeInfo<FdbFlushResult> ResultType => ControlJsonContext.Default.FdbFlushResult;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        (int? flushed, string? error) = await daemon.FlushFdbAsync(args.Get("port"), cancel).ConfigureAwait(false);
        return flushed is int n ? Success(new FdbFlushResult(n)) : CommandOutcome.Fail(error!);
    }

    protected override TextView Render(FdbFlushResult result) =>
        TextView.Text($"flushed {result.Flushed} entr{(result.Flushed == 1 ? "y" : "ies")}");
}

public sealed record FdbFlushResult(int Flushed);
