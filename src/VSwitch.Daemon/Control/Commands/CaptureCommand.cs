using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Capture;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Datapath.Capture;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>capture PORT [--direction rx|tx|both] [--count N] [--snaplen N] FILE|-</c>: a port's frames as pcapng.</summary>
/// <remarks>The one streaming command: after its ok line the connection carries pcapng until the
/// capture ends, then closes (see <see cref="CaptureSession"/>). FILE is vswitchctl's: it opens the
/// file (or writes to its own stdout for <c>-</c>) and copies the stream there, so the daemon,
/// which runs as root, never opens a path a user named.</remarks>
public sealed class CaptureCommand : ControlCommand<CaptureResult>
{
    public override string Name => "capture";
    public override string Summary => "copy a port's frames to FILE (or - for stdout) as pcapng until Ctrl-C or --count";

    public override IReadOnlyList<CommandArgument> Arguments { get; } =
    [
        new("port", "PORT"),
        new("direction", "[--direction rx|tx|both]", Min: 0) { Option = true },
        new("count", "[--count N]", Min: 0) { Option = true },
        new("snaplen", "[--snaplen N]", Min: 0) { Option = true },
        new("file", "FILE|-") { Local = true },
    ];

    public override JsonTypeInfo<CaptureResult> ResultType => ControlJsonContext.Default.CaptureResult;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        string port = args.Get("port")!;
        CaptureDirection? directions = (args.Get("direction") ?? "both") switch
        {
            "rx" => CaptureDirection.Rx,
            "tx" => CaptureDirection.Tx,
            "both" => CaptureDirection.Both,
            _ => null,
        };
        if (directions is null) return CommandOutcome.Fail($"direction '{args.Get("direction")}' is not rx, tx or both");
        long count = 0;
        if (args.Get("count") is string c && (!long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
            return CommandOutcome.Fail($"count '{c}' is not a number of frames from 1 up");
        int snap = CaptureRequest.DefaultSnapLength;
        if (args.Get("snaplen") is string s && (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out snap) || snap is < 14 or > CaptureRequest.DefaultSnapLength))
            return CommandOutcome.Fail($"snaplen '{s}' is not a number of bytes from 14 to {CaptureRequest.DefaultSnapLength}");

        var (session, error) = await daemon.StartCaptureAsync(new CaptureRequest(port, directions.Value, count, snap), cancel).ConfigureAwait(false);
        if (session is null) return CommandOutcome.Fail(error!);
        string shown = directions == CaptureDirection.Both ? "both" : directions == CaptureDirection.Rx ? "rx" : "tx";
        return CommandOutcome.Streaming(new CaptureResult(port, shown, count, snap, "pcapng"), ResultType, session.StreamAsync);
    }

    protected override TextView Render(CaptureResult result) =>
        TextView.Text($"capturing {result.Direction} on {result.Port}" + (result.Count > 0 ? $", {result.Count} frames" : ""));
}

/// <summary>The ok line before the stream: what is being captured, and the stream's format.</summary>
public sealed record CaptureResult(string Port, string Direction, long Count, int SnapLength, string Format);
