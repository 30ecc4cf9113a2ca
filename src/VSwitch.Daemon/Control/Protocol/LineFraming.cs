using System.Buffers;
using System.IO.Pipelines;

namespace VSwitch.Daemon.Control.Protocol;

/// <summary>Newline-delimited framing over a <see cref="PipeReader"/>, with a bound on the line length.</summary>
/// <remarks>Both ends of the control socket use it. A line is the bytes up to '\n' (a '\r' before it
/// is dropped). The bound is checked on what is buffered while no newline has been seen, so a peer
/// cannot make the reader hold more than the bound plus one read.</remarks>
public static class LineFraming
{
    /// <summary>Takes the next complete line off the front of <paramref name="buffer"/>.</summary>
    public static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        SequencePosition? newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        if (line.Length > 0 && EndsWithCarriageReturn(line)) line = line.Slice(0, line.Length - 1);
        return true;
    }

    /// <summary>Reads one line: its bytes, or null at the end of the stream.</summary>
    /// <exception cref="InvalidDataException">The line is longer than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]?> ReadLineAsync(PipeReader reader, long maxBytes, CancellationToken cancel)
    {
        while (true)
        {
            ReadResult read = await reader.ReadAsync(cancel).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            if (TryReadLine(ref buffer, out ReadOnlySequence<byte> line))
            {
                if (line.Length > maxBytes) throw new InvalidDataException($"a line is longer than {maxBytes} bytes");
                byte[] bytes = line.ToArray();
                reader.AdvanceTo(buffer.Start);
                return bytes;
            }
            if (buffer.Length > maxBytes) throw new InvalidDataException($"a line is longer than {maxBytes} bytes");
            if (read.IsCompleted)
            {
                byte[]? rest = buffer.Length > 0 ? buffer.ToArray() : null;
                reader.AdvanceTo(buffer.End);
                return rest;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool EndsWithCarriageReturn(ReadOnlySequence<byte> line)
    {
        ReadOnlySequence<byte> last = line.Slice(line.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
