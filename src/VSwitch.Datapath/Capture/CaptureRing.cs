using System.Buffers.Binary;

namespace VSwitch.Datapath.Capture;

/// <summary>
/// A bounded single-producer, single-consumer ring of frame copies: the forwarding loop writes,
/// one reader thread drains.
/// </summary>
/// <remarks>
/// <para>The ring is the capture's only coupling to the datapath, so it is built so the loop never
/// waits: a copy that does not fit is not made, it is counted in <see cref="Lost"/>. A slow reader
/// (a stalled pipe, a disk) loses capture copies, never a datapath frame.</para>
/// <para>Records are contiguous and 8-byte aligned: a 24-byte header (record length, original
/// length, wall-clock nanoseconds, captured length, direction and interface) and the bytes. A
/// record that would run past the end leaves a padding record there and starts at offset 0. The
/// producer publishes a record by moving <c>_head</c> after writing it; the reader frees space by
/// moving <c>_tail</c> after reading it. Both counters only grow; their difference is the fill.</para>
/// </remarks>
public sealed class CaptureRing
{
    public const int HeaderLength = 24;
    private const int PaddingMark = -1;

    private readonly byte[] _buffer;
    private long _head; // written by the producer only
    private long _tail; // written by the reader only
    private long _lost; // written by the producer only
    private long _copied;

    /// <param name="capacity">Bytes; rounded up to a multiple of 8, at least 64 KiB plus a header.</param>
    public CaptureRing(int capacity)
    {
        capacity = Math.Max(capacity, 65536 + 2 * HeaderLength);
        _buffer = new byte[(capacity + 7) & ~7];
    }

    /// <summary>Copies the ring could not take because the reader was behind.</summary>
    public long Lost => Volatile.Read(ref _lost);

    /// <summary>Copies written into the ring.</summary>
    public long Copied => Volatile.Read(ref _copied);

    /// <summary>Copies <paramref name="bytes"/> in, or counts a loss. Producer side only.</summary>
    /// <param name="bytes">The frame, cut to the snap length.</param>
    /// <param name="originalLength">The frame's length on the wire (the bytes may be cut to a snap length).</param>
    /// <param name="nanoseconds">Wall-clock time since the Unix epoch.</param>
    /// <param name="tag">Direction and interface, for the reader (see <see cref="CaptureRecord"/>).</param>
    public bool TryWrite(ReadOnlySpan<byte> bytes, int originalLength, long nanoseconds, int tag)
    {
        int length = (HeaderLength + bytes.Length + 7) & ~7;
        long head = _head;
        long free = _buffer.Length - (head - Volatile.Read(ref _tail));
        int at = (int)(head % _buffer.Length);
        int untilEnd = _buffer.Length - at;
        int padding = untilEnd < length ? untilEnd : 0;
        if (length + padding > free)
        {
            Volatile.Write(ref _lost, _lost + 1);
            return false;
        }
        if (padding > 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), padding);
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at + 4), PaddingMark);
            at = 0;
        }
        Span<byte> record = _buffer.AsSpan(at, length);
        BinaryPrimitives.WriteInt32LittleEndian(record, length);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], originalLength);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], nanoseconds);
        BinaryPrimitives.WriteInt32LittleEndian(record[16..], bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(record[20..], tag);
        bytes.CopyTo(record[HeaderLength..]);
        Volatile.Write(ref _copied, _copied + 1);
        Volatile.Write(ref _head, head + padding + length);
        return true;
    }

    /// <summary>The oldest record, if any. Reader side only; call <see cref="Release"/> when done with it.</summary>
    public bool TryRead(out CaptureRecord record)
    {
        while (true)
        {
            long tail = _tail;
            if (Volatile.Read(ref _head) == tail)
            {
                record = default;
                return false;
            }
            int at = (int)(tail % _buffer.Length);
            int length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(at));
            int original = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(at + 4));
            if (original == PaddingMark)
            {
                Volatile.Write(ref _tail, tail + length);
                continue;
            }
            record = new CaptureRecord(_buffer, at, length);
            return true;
        }
    }

    /// <summary>Frees the record <see cref="TryRead"/> returned.</summary>
    public void Release(in CaptureRecord record) => Volatile.Write(ref _tail, _tail + record.RecordLength);
}

/// <summary>One frame copy in a <see cref="CaptureRing"/>, valid until released.</summary>
public readonly struct CaptureRecord(byte[] buffer, int at, int length)
{
    internal int RecordLength => length;

    private ReadOnlySpan<byte> Header => buffer.AsSpan(at, CaptureRing.HeaderLength);

    public int OriginalLength => BinaryPrimitives.ReadInt32LittleEndian(Header[4..]);

    /// <summary>Wall-clock nanoseconds since the Unix epoch.</summary>
    public long Nanoseconds => BinaryPrimitives.ReadInt64LittleEndian(Header[8..]);

    public ReadOnlySpan<byte> Bytes => buffer.AsSpan(at + CaptureRing.HeaderLength, BinaryPrimitives.ReadInt32LittleEndian(Header[16..]));

    public CaptureDirection Direction => (CaptureDirection)(BinaryPrimitives.ReadInt32LittleEndian(Header[20..]) & 0xFF);

    public int Interface => BinaryPrimitives.ReadInt32LittleEndian(Header[20..]) >> 8;
}
