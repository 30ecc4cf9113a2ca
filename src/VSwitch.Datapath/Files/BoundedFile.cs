using System.Text;

namespace VSwitch.Datapath.Files;

// Every file the switch reads from a user (hosts, ethers, their journals, the config file) is
// read here, and only here. A path may point at anything: a 30 GB log, /dev/zero, a FIFO that
// never ends, a file with one endless line. So bytes are counted as they are read, a line is cut
// off at a fixed length, and nothing is ever read whole into memory unless the caller asks for
// the text (small files only: the config, the ethers table). The reader stops at the first byte
// over the limit, whatever the file claims its length is: /proc and device files claim 0.

/// <summary>Reads untrusted text files with a size bound and a line-length bound, line by line.</summary>
public static class BoundedFile
{
    /// <summary>The largest file read: 256 MiB, some eight times a hosts file of a million names.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    /// <summary>The longest line read: 64 KiB (a hosts line of some two hundred long aliases).</summary>
    public const int MaxLineChars = 64 * 1024;

    /// <summary>Receives one line: its text without the '\n' (a '\r' before it is kept) and its 1-based number.</summary>
    public delegate void LineVisitor(string line, int number);

    /// <summary>Reads <paramref name="path"/> line by line, calling <paramref name="visit"/> for each.</summary>
    /// <param name="path">The file.</param>
    /// <param name="visit">Called for each line, in order.</param>
    /// <param name="endsWithNewline">True when the last line ended with '\n' (or the file is empty).</param>
    /// <param name="reason">Why the file could not be read whole, when it returns false; the lines
    /// before the problem have been visited, so callers discard what they built.</param>
    /// <param name="maxBytes">The size bound; <see cref="MaxBytes"/> by default.</param>
    public static bool TryReadLines(string path, LineVisitor visit, out bool endsWithNewline, out string reason, long maxBytes = MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(visit);
        endsWithNewline = true;
        try
        {
            using var stream = new LimitedStream(Open(path), maxBytes);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
            char[] chunk = new char[64 * 1024];
            var pending = new StringBuilder();
            int number = 0, read;
            while ((read = reader.Read(chunk, 0, chunk.Length)) > 0)
            {
                int start = 0;
                for (int i = Array.IndexOf(chunk, '\n', 0, read); i >= 0; i = Array.IndexOf(chunk, '\n', start, read - start))
                {
                    number++;
                    if (pending.Length + i - start > MaxLineChars) return TooLong(number, out reason);
                    string line = pending.Length == 0 ? new string(chunk, start, i - start) : pending.Append(chunk, start, i - start).ToString();
                    pending.Clear();
                    visit(line, number);
                    start = i + 1;
                }
                if (pending.Length + read - start > MaxLineChars) return TooLong(number + 1, out reason);
                pending.Append(chunk, start, read - start);
                if (stream.Exceeded) break;
            }
            if (stream.Exceeded)
            {
                reason = $"the file is larger than the limit of {maxBytes} bytes";
                return false;
            }
            endsWithNewline = pending.Length == 0;
            if (pending.Length > 0) visit(pending.ToString(), number + 1);
            reason = "";
            return true;
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            reason = "cannot read the file: " + e.Message;
            return false;
        }
    }

    /// <summary>Reads a whole small file as text (a BOM dropped), refusing one over <paramref name="maxBytes"/>.</summary>
    public static bool TryReadAllText(string path, out string text, out string reason, long maxBytes = MaxBytes)
    {
        text = "";
        try
        {
            using var stream = new LimitedStream(Open(path), maxBytes);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var content = new StringBuilder();
            char[] chunk = new char[64 * 1024];
            int read;
            while ((read = reader.Read(chunk, 0, chunk.Length)) > 0 && !stream.Exceeded) content.Append(chunk, 0, read);
            if (stream.Exceeded)
            {
                reason = $"the file is larger than the limit of {maxBytes} bytes";
                return false;
            }
            text = content.ToString();
            reason = "";
            return true;
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            reason = "cannot read the file: " + e.Message;
            return false;
        }
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);

    private static bool TooLong(int number, out string reason)
    {
        reason = $"line {number} is longer than the limit of {MaxLineChars} characters";
        return false;
    }

    private static bool IsReadFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException;

    // Counts bytes and ends the stream one byte past the limit, so an endless device reads as
    // a file that is too large rather than as a hang or an OutOfMemoryException.
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public bool Exceeded => _read > limit;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Exceeded) return 0;
            long room = limit + 1 - _read;
            int n = inner.Read(room < buffer.Length ? buffer[..(int)room] : buffer);
            _read += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
