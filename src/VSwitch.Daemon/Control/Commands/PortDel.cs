using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>port del NAME</c>: detaches and closes a port and forgets the addresses learned on it.</summary>
public sealed class PortDel : ControlCommand<PortDelResult>
{
    public override string Name => "port/del";
    public override string Summary => "detach and close a port";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [new("name", "NAME")];
    public override JsonTypeInfo<PortDelResult> ResultType => ControlJsonContext.Default.PortDelResult;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        string name = args.Get("name")!;
        string? error = await daemon.RemovePortAsync(name, cancel).ConfigureAwait(false);
        return error is null ? Success(new PortDelResult(name)) : CommandOutcome.Fail(error);
    }

    protected override TextView Render(PortDelResult result) => TextView.Text($"removed port {result.Removed}");
}

public sealed record PortDelResult(string Removed);
