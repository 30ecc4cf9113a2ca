using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Tracing;
using VSwitch.Datapath.Tracing;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>trace PORT FRAME</c>: what the switch would do with a frame arriving on PORT, stage by stage,
/// in a dry run; <c>trace PORT --live N</c>: the next N real frames from PORT, as they pass.</summary>
/// <remarks>FRAME is hex (contiguous, or bytes separated by spaces or colons, tcpdump -xx's offsets
/// allowed) or a description (<see cref="FrameDescription"/>); vswitchctl turns a pcap file into hex
/// (its first frame). A live trace streams one result line per frame after the ok line, then closes.</remarks>
public sealed class TraceCommand : ControlCommand<TraceResult>
{
    public const int MaxLive = 10000;

    public override string Name => "trace";
    public override string Summary => "show what the switch would do with FRAME (hex, pcap file, or description) from PORT";

    public override IReadOnlyList<CommandArgument> Arguments { get; } =
    [
        new("port", "PORT"),
        new("frame", "[FRAME...]", Min: 0, Max: 100_000),
        new("live", "[--live N]", Min: 0) { Option = true },
    ];

    public override JsonTypeInfo<TraceResult> ResultType => ControlJsonContext.Default.TraceResult;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        string port = args.Get("port")!;
        IReadOnlyList<string> words = args.GetAll("frame");
        if (args.Get("live") is string liveText)
        {
            if (!int.TryParse(liveText, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count is < 1 or > MaxLive)
                return CommandOutcome.Fail($"--live '{liveText}' is not a number of frames from 1 to {MaxLive}");
            if (words.Count > 0) return CommandOutcome.Fail("--live traces real frames: give no FRAME with it");
            var (live, stop, error) = await daemon.StartLiveTraceAsync(port, count, cancel).ConfigureAwait(false);
            if (live is null) return CommandOutcome.Fail(error!);
            var started = new TraceResult(port, "", "", "live", null, null, [], [], null, null, null);
            return CommandOutcome.Streaming(started, ResultType, (connection, fromClient, token) => StreamAsync(port, live, stop!, connection, fromClient, token));
        }
        if (words.Count == 0) return CommandOutcome.Fail("give FRAME: hex bytes, a pcap file (vswitchctl reads it), or a description such as 'eth ipv4 dst=198.18.0.53 udp dns A web.lab'");
        byte[] frame;
        string why;
        bool built = FrameDescription.IsDescription(words)
            ? FrameDescription.TryBuild(words, out frame, out why)
            : HexFrame.TryParse(string.Join(' ', words), out frame, out why);
        if (!built) return CommandOutcome.Fail("FRAME: " + why);
        var (trace, traceError) = await daemon.TraceAsync(port, frame, cancel).ConfigureAwait(false);
        return trace is null ? CommandOutcome.Fail(traceError!) : Success(Result(port, frame, trace));
    }

    internal static TraceResult Result(string port, byte[] frame, FrameTrace t) => new(
        port, HexFrame.Format(frame), FrameDecoder.Describe(frame), t.Verdict, t.DropReason, t.PeepholeOutcome, t.Steps, t.Egress,
        t.Reply is null ? null : HexFrame.Format(t.Reply), t.Reply is null ? null : FrameDecoder.Describe(t.Reply), t.Actual);

    // One result line per traced frame, until the count is reached, the client closes its side, or the daemon stops.
    private static async Task StreamAsync(string port, LiveTrace live, Func<CancellationToken, Task> stop,
        Stream connection, System.IO.Pipelines.PipeReader fromClient, CancellationToken cancel)
    {
        Task readerDone = fromClient.ReadAsync(cancel).AsTask();
        try
        {
            while (true)
            {
                while (live.Traces.TryDequeue(out FrameTrace? t))
                {
                    byte[] line = JsonSerializer.SerializeToUtf8Bytes(Result(port, t.Frame ?? [], t), ControlJsonContext.Default.TraceResult);
                    await connection.WriteAsync(line, cancel).ConfigureAwait(false);
                    await connection.WriteAsync("\n"u8.ToArray(), cancel).ConfigureAwait(false);
                }
                if ((live.Done && live.Traces.IsEmpty) || readerDone.IsCompleted) break;
                await Task.WhenAny(readerDone, Task.Delay(20, cancel)).ConfigureAwait(false);
                cancel.ThrowIfCancellationRequested();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The daemon is stopping or the client left: the trace ends either way.
        }
        finally
        {
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await stop(last.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                // The loop is gone: so is the trace.
            }
        }
    }

    protected override TextView Render(TraceResult r)
    {
        if (r.Verdict == "live") return TextView.Text($"tracing the next frames from {r.Port} as they pass (Ctrl-C to stop)");
        var lines = new List<string> { $"{r.Frame.Length / 2} bytes on {r.Port}: {r.Decoded}" };
        foreach (TraceStep s in r.Steps)
        {
            lines.Add($"  {s.Stage,-9} {s.Decision}");
            if (s.Stage == "peephole" && r.ReplyDecoded is not null) lines.Add($"  {"",-9} reply: {r.ReplyDecoded}");
            if (s.Stage == "egress")
                foreach (TraceEgress e in r.Egress) lines.Add($"  {"",-9}   {e.Port}: {e.Action}");
        }
        lines.Add($"verdict: {r.Verdict}" + (r.DropReason is null ? "" : $" ({r.DropReason})"));
        if (r.Actual is not null) lines.Add($"the switch then: {r.Actual}");
        return TextView.Text([.. lines]);
    }
}

/// <summary>A trace: the frame (hex and decoded), each stage's decision, where it would leave, and the verdict.</summary>
/// <param name="Verdict"><c>answered</c>, <c>forwarded</c>, <c>flooded</c> or <c>dropped</c> (<c>live</c> on a live trace's first line).</param>
/// <param name="Reply">The peephole's reply, hex, when it answers; <paramref name="ReplyDecoded"/> says it in words (PacketDotNet).</param>
/// <param name="Actual">A live trace: what the switch then really did with the frame.</param>
public sealed record TraceResult(string Port, string Frame, string Decoded, string Verdict, string? DropReason, string? Peephole,
    IReadOnlyList<TraceStep> Steps, IReadOnlyList<TraceEgress> Egress, string? Reply, string? ReplyDecoded, string? Actual);
