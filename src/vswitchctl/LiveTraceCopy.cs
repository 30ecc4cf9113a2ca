using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Control.Commands;
using VSwitch.Daemon.Control.Protocol;

namespace VSwitch.Ctl;

/// <summary>vswitchctl's end of <c>trace PORT --live N</c>: prints each traced frame as the daemon streams it,
/// as text or (with --json) one JSON object per line; Ctrl-C ends it early.</summary>
internal static class LiveTraceCopy
{
    public static async Task<int> RunAsync(ControlClient client, TraceCommand command, JsonObject? args, bool json,
        TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ControlReply reply;
        PipeReader stream;
        try
        {
            (reply, stream) = await client.StartStreamAsync(command.Name, args, cancel).ConfigureAwait(false);
        }
        catch (ControlProtocolException e)
        {
            await stderr.WriteLineAsync("vswitchctl: " + e.Message).ConfigureAwait(false);
            return CommandLine.ExitFailed;
        }
        if (!reply.Ok)
        {
            await stderr.WriteLineAsync($"vswitchctl: trace: {reply.Error}").ConfigureAwait(false);
            return CommandLine.ExitFailed;
        }
        if (!json) await stdout.WriteAsync(TextTable.Render(command.Render(reply.Result))).ConfigureAwait(false);
        using var end = new StreamEnd(client, cancel);
        int traced = 0;
        while (true)
        {
            byte[]? line;
            try
            {
                line = await LineFraming.ReadLineAsync(stream, ControlClient.MaxResponseBytes, CancellationToken.None).ConfigureAwait(false);
            }
            catch (IOException)
            {
                break;
            }
            if (line is null) break;
            traced++;
            if (json)
            {
                await stdout.WriteLineAsync(System.Text.Encoding.UTF8.GetString(line)).ConfigureAwait(false);
            }
            else
            {
                using JsonDocument result = JsonDocument.Parse(line);
                await stdout.WriteAsync(TextTable.Render(command.Render(result.RootElement))).ConfigureAwait(false);
            }
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        if (!json) await stderr.WriteLineAsync($"vswitchctl: {traced} frame{(traced == 1 ? "" : "s")} traced").ConfigureAwait(false);
        return CommandLine.ExitOk;
    }
}
