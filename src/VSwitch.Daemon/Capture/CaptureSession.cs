using System.Buffers;
using System.IO.Pipelines;
using VSwitch.Datapath.Capture;

namespace VSwitch.Daemon.Capture;

/// <summary>
/// One running capture: drains its ring into pcapng on the control connection until the count is
/// reached, the port leaves, the reader stops it, or the daemon stops.
/// </summary>
/// <remarks>
/// The stream is a section header, one interface block (the port), a packet block per frame in
/// the order the loop copied them, and at the end an interface statistics block with the totals
/// and why it ended; then the daemon closes the connection. The reader stops a capture by closing
/// its sending side (vswitchctl does on Ctrl-C): the daemon sees end-of-file, detaches the capture,
/// writes what the ring still holds and the statistics, and closes. Writes block only this task,
/// never the loop: while the reader is slow the ring fills and further copies are lost, counted.
/// </remarks>
internal sealed class CaptureSession(PortCapture capture, string portName, long count, int snapLength,
    Func<CancellationToken, Task> detach)
{
    private const int WriteAt = 256 * 1024;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    private long _written;

    public async Task StreamAsync(Stream connection, PipeReader fromClient, CancellationToken stop)
    {
        long start = WallClock();
        var buffer = new ArrayBufferWriter<byte>(WriteAt + 80 * 1024);
        PcapngWriter.SectionHeader(buffer, Hosting.ProgramVersion.Of("vswitchd"));
        PcapngWriter.InterfaceDescription(buffer, portName, snapLength);
        Task<ReadResult> readerDone = fromClient.ReadAsync(stop).AsTask();
        string reason;
        bool connected = true;
        try
        {
            await FlushAsync(connection, buffer, stop).ConfigureAwait(false);
            while (true)
            {
                // Read before draining: whatever the loop wrote before it let the port go is drained too.
                bool detached = capture.Detached;
                await DrainAsync(connection, buffer, stop).ConfigureAwait(false);
                if (count > 0 && _written >= count)
                {
                    reason = $"{count} frame{(count == 1 ? "" : "s")} captured as asked";
                    break;
                }
                if (detached)
                {
                    reason = $"port '{portName}' left the switch (removed, or closed to be re-opened)";
                    break;
                }
                if (readerDone.IsCompleted)
                {
                    reason = "stopped by the reader";
                    break;
                }
                await Task.WhenAny(readerDone, Task.Delay(Poll, stop)).ConfigureAwait(false);
                stop.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException)
        {
            reason = "vswitchd is stopping";
        }
        catch (IOException)
        {
            reason = "the reader went away";
            connected = false;
        }
        // The last writes get a moment of their own, even when the daemon is stopping.
        using var last = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await detach(last.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            // The loop is gone or wedged: the capture goes with it.
        }
        if (!connected) return;
        try
        {
            await DrainAsync(connection, buffer, last.Token).ConfigureAwait(false);
            CaptureRing ring = capture.Ring;
            PcapngWriter.InterfaceStatistics(buffer, 0, start, WallClock(), ring.Copied + ring.Lost, ring.Lost, _written, reason);
            await FlushAsync(connection, buffer, last.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The reader left first: it has what it read.
        }
    }

    private async Task DrainAsync(Stream connection, ArrayBufferWriter<byte> buffer, CancellationToken cancel)
    {
        CaptureRing ring = capture.Ring;
        while ((count == 0 || _written < count) && ring.TryRead(out CaptureRecord record))
        {
            PcapngWriter.EnhancedPacket(buffer, record.Interface, record.Nanoseconds, record.Bytes, record.OriginalLength,
                inbound: record.Direction == CaptureDirection.Rx);
            ring.Release(record);
            _written++;
            if (buffer.WrittenCount >= WriteAt) await FlushAsync(connection, buffer, cancel).ConfigureAwait(false);
        }
        if (buffer.WrittenCount > 0) await FlushAsync(connection, buffer, cancel).ConfigureAwait(false);
    }

    private static async Task FlushAsync(Stream connection, ArrayBufferWriter<byte> buffer, CancellationToken cancel)
    {
        await connection.WriteAsync(buffer.WrittenMemory, cancel).ConfigureAwait(false);
        buffer.ResetWrittenCount();
    }

    private static long WallClock() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
}
