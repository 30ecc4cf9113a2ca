using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text.Json.Nodes;
using VSwitch.Daemon.Capture;
using VSwitch.Daemon.Control;

namespace VSwitch.Ctl;

/// <summary>vswitchctl's end of a capture: copies the daemon's pcapng stream to FILE or stdout, block by block.</summary>
/// <remarks>
/// Whole blocks only, written as they arrive, so a reader of a live file or pipe
/// (<c>vswitchctl capture vs0 - | tcpdump -nr -</c>) never sees half a packet. Ctrl-C (or SIGTERM)
/// closes the sending side of the connection; the daemon then finishes the stream with its
/// statistics block and closes, and the copy ends there. The statistics say how many frames were
/// written and how many copies were lost because the reader was behind, which is what is printed.
/// </remarks>
internal static class CaptureCopy
{
    public static async Task<int> RunAsync(ControlClient client, string command, JsonObject? args, string file, bool json,
        Stream stdoutStream, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        bool toStdout = file == "-";
        Stream output;
        try
        {
            output = toStdout ? stdoutStream : new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"vswitchctl: {file}: {e.Message}").ConfigureAwait(false);
            return CommandLine.ExitFailed;
        }
        await using (output.ConfigureAwait(false))
        {
            ControlReply reply;
            PipeReader stream;
            try
            {
                (reply, stream) = await client.StartStreamAsync(command, args, cancel).ConfigureAwait(false);
            }
            catch (ControlProtocolException e)
            {
                await stderr.WriteLineAsync("vswitchctl: " + e.Message).ConfigureAwait(false);
                return CommandLine.ExitFailed;
            }
            if (!reply.Ok)
            {
                if (!toStdout) TryDelete(file);
                await stderr.WriteLineAsync($"vswitchctl: capture: {reply.Error}").ConfigureAwait(false);
                return CommandLine.ExitFailed;
            }
            using var end = new StreamEnd(client, cancel);

            var totals = new Totals();
            bool outputGone = false;
            while (true)
            {
                ReadResult read;
                try
                {
                    read = await stream.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    break;
                }
                ReadOnlySequence<byte> buffer = read.Buffer;
                SequencePosition consumed = TakeBlocks(buffer, totals, out ReadOnlySequence<byte> blocks);
                if (!outputGone && !blocks.IsEmpty)
                {
                    try
                    {
                        foreach (ReadOnlyMemory<byte> part in blocks) await output.WriteAsync(part, CancellationToken.None).ConfigureAwait(false);
                        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (IOException)
                    {
                        // The reader of our output left (tcpdump quit): end the capture, keep reading its totals.
                        outputGone = true;
                        client.EndSending();
                    }
                }
                stream.AdvanceTo(consumed, buffer.End);
                if (read.IsCompleted) break;
            }

            if (totals.Comment is null)
            {
                await stderr.WriteLineAsync($"vswitchctl: capture: the stream ended without its statistics ({totals.Frames} frames copied; vswitchd stopped?)")
                    .ConfigureAwait(false);
                return CommandLine.ExitFailed;
            }
            string port = args?["port"]?.GetValue<string>() ?? "";
            if (json && !toStdout)
            {
                var summary = new JsonObject
                {
                    ["ok"] = true,
                    ["result"] = new JsonObject
                    {
                        ["port"] = port, ["file"] = file, ["frames"] = totals.Delivered, ["lost"] = totals.Lost, ["ended"] = totals.Comment,
                    },
                };
                await stdout.WriteLineAsync(summary.ToJsonString()).ConfigureAwait(false);
            }
            else
            {
                await stderr.WriteLineAsync(
                    $"vswitchctl: capture on {port} ended ({totals.Comment}): {totals.Delivered} frames, {totals.Lost} lost"
                    + (totals.Lost > 0 ? " (copies the switch could not queue while the reader was behind)" : ""))
                    .ConfigureAwait(false);
            }
            return CommandLine.ExitOk;
        }
    }

    private sealed class Totals
    {
        public long Frames, Delivered, Lost;
        public string? Comment;
    }

    // The complete blocks at the start of buffer (to copy), with the statistics block read on the way.
    private static SequencePosition TakeBlocks(ReadOnlySequence<byte> buffer, Totals totals, out ReadOnlySequence<byte> blocks)
    {
        var reader = new SequenceReader<byte>(buffer);
        Span<byte> header = stackalloc byte[8];
        while (reader.Remaining >= 8)
        {
            reader.TryCopyTo(header);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (length < 12 || reader.Remaining < length) break;
            if (type == PcapngWriter.EnhancedPacketType) totals.Frames++;
            if (type == PcapngWriter.InterfaceStatisticsType)
            {
                byte[] block = buffer.Slice(reader.Position, length).ToArray();
                if (PcapngWriter.TryReadStatistics(block, out _, out long lost, out long delivered, out string comment))
                {
                    totals.Lost = lost;
                    totals.Delivered = delivered;
                    totals.Comment = comment;
                }
            }
            reader.Advance(length);
        }
        blocks = buffer.Slice(0, reader.Position);
        return reader.Position;
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An empty file is left; the error already says why the capture did not start.
        }
    }
}
