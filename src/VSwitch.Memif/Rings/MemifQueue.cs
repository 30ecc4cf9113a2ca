using System.Runtime.CompilerServices;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Shared;
using VSwitch.Linux;

namespace VSwitch.Memif.Rings;

/// <summary>One direction of a memif link in copy mode, as one side sees it: a ring, the regions its
/// descriptors point into, the ring's eventfd, and this side's private counter.</summary>
/// <remarks>
/// <para>Four cases, by role and direction. The client produces on C2S (writes head, over its own
/// buffers) and lends buffers on S2C (posts them by advancing head; takes frames up to tail). The
/// server consumes C2S (reads head, returns slots by writing tail) and fills the buffers the
/// client posted on S2C (reads head, writes tail).</para>
/// <para>The receiving side calls <see cref="BeginReceive"/>, then <see cref="ReadFrame"/> until it
/// returns -1, then <see cref="EndReceive"/>; the sending side <see cref="BeginTransmit"/>,
/// <see cref="WriteFrame"/> per frame, <see cref="EndTransmit"/>. One counter store per burst
/// publishes the lot.</para>
/// <para>Nothing the peer wrote is trusted. Counts are clamped to the ring size; a server takes
/// a descriptor's region and offset only through <see cref="RegionTable.Resolve"/>; a client uses
/// its own layout for its buffers and ignores the offsets in its rings. A bad descriptor drops its
/// frame and is counted (<see cref="BadDescriptors"/>); it never leads to an access outside the
/// regions.</para>
/// <para>Single-threaded: one thread per queue.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A memif queue, the protocol's own term.")]
public sealed unsafe class MemifQueue
{
    private readonly MemifRing _ring;
    private readonly RegionTable _regions;
    private readonly bool _weAreClient;
    private readonly bool _weReceive;
    private readonly int _size;

    // Client only: where our buffers are (region 0), so nothing the server writes can redirect them.
    private readonly byte* _ownBuffers;
    private readonly uint _ownBuffersOffset;
    private readonly uint _bufferSize;

    // Our counter: the next slot to read (receive) or fill (transmit).
    private ushort _cursor;
    // Receive: one past the last slot the peer published. Transmit: one past the last slot we may fill.
    private ushort _end;
    // Client receive only: the head we have posted up to.
    private ushort _posted;

    /// <param name="ownBuffersOffset">Client only: offset in region 0 of this ring's first buffer (slot i uses buffer i).</param>
    /// <param name="bufferSize">Client only: bytes per buffer.</param>
    internal MemifQueue(MemifRing ring, RegionTable regions, MemifRole role, bool c2s, int eventFd, uint ownBuffersOffset = 0, uint bufferSize = 0)
    {
        _ring = ring;
        _regions = regions;
        _weAreClient = role == MemifRole.Client;
        _weReceive = c2s != _weAreClient;
        _size = ring.Size;
        EventFd = eventFd;
        _bufferSize = bufferSize;
        _ownBuffersOffset = ownBuffersOffset;
        _ownBuffers = _weAreClient ? regions.Resolve(0, ownBuffersOffset, (uint)ring.Size * bufferSize) : null;
        if (_weAreClient && _ownBuffers == null) throw new ArgumentException("the client's buffers must lie in region 0");
    }

    public MemifRing Ring => _ring;

    /// <summary>The eventfd of this ring (the producer writes it when the receiver asks for interrupts).</summary>
    public int EventFd { get; }

    public int Size => _size;

    /// <summary>Frames dropped because a descriptor pointed outside the regions, was too long, or a chain was cut short.</summary>
    public long BadDescriptors { get; private set; }

    /// <summary>Times the peer published a counter more than a ring ahead (clamped).</summary>
    public long BadCounters { get; private set; }

    /// <summary>Resets both counters to 0 and claims the ring's flags (at CONNECT/CONNECTED, before any frame moves).</summary>
    internal void Reset(bool polling)
    {
        _ring.Head = 0;
        _ring.Tail = 0;
        _cursor = _end = _posted = 0;
        if (_weReceive) _ring.Flags = polling ? MemifConstants.RingFlagMaskInterrupt : (ushort)0;
        // A client lends the server every buffer of its receive ring at once: nothing can come before.
        if (_weReceive && _weAreClient) EndReceive();
    }

    /// <summary>Receiver only: polling (MASK_INT set: the peer need not write the eventfd) or interrupts.</summary>
    public void SetPolling(bool polling)
    {
        if (_weReceive) _ring.Flags = polling ? MemifConstants.RingFlagMaskInterrupt : (ushort)0;
    }

    /// <summary>Receiver only: true when the peer has published frames we have not read.</summary>
    public bool HasPending => (_weAreClient ? _ring.Tail : _ring.Head) != _cursor;

    /// <summary>Takes a look at what the peer published; returns the number of slots (not frames) waiting.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int BeginReceive()
    {
        // The server consumes up to the client's head; the client up to the server's tail.
        ushort published = _weAreClient ? _ring.Tail : _ring.Head;
        int waiting = (ushort)(published - _cursor);
        if (waiting > _size)
        {
            BadCounters++;
            waiting = _size;
        }
        _end = (ushort)(_cursor + waiting);
        return waiting;
    }

    /// <summary>Copies the next frame (all its chained slots) to <paramref name="destination"/>.</summary>
    /// <param name="keepIfTooLong">When the frame is longer than <paramref name="capacity"/>, leave it in
    /// the ring and return -3 (the caller has a smaller buffer left than the frame needs) instead of dropping it.</param>
    /// <returns>The frame's length; -1 when no frame is left; -2 when a bad frame was consumed and
    /// dropped; -3 (with <paramref name="keepIfTooLong"/>) when the frame does not fit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadFrame(byte* destination, int capacity, bool keepIfTooLong = false)
    {
        if (_cursor == _end) return -1;
        ushort start = _cursor;
        int length = 0;
        bool bad = false;
        while (true)
        {
            MemifDescriptor d = _ring.Read(_cursor);
            byte* source;
            if (_weAreClient)
            {
                source = d.Length <= _bufferSize ? _ownBuffers + (nint)(_cursor & (_size - 1)) * _bufferSize : null;
            }
            else
            {
                source = _regions.Resolve(d.Region, d.Offset, d.Length);
                // DPDK's transmitter sets flags only on continuation slots, so a slot that carried
                // a chain could come back with a stale NEXT bit on a single frame: hand it back clean.
                if ((d.Flags & MemifConstants.DescriptorFlagNext) != 0) _ring.At(_cursor).Flags = 0;
            }
            _cursor++;
            if (source != null && keepIfTooLong && !bad && d.Length > (uint)(capacity - length))
            {
                _cursor = start;
                return -3;
            }
            if (source == null || d.Length > (uint)(capacity - length))
            {
                bad = true;
            }
            else if (!bad)
            {
                Buffer.MemoryCopy(source, destination + length, capacity - length, d.Length);
                length += (int)d.Length;
            }
            if ((d.Flags & MemifConstants.DescriptorFlagNext) == 0) break;
            if (_cursor == _end)
            {
                // A chain must be published whole; one that runs off the end is broken.
                bad = true;
                break;
            }
        }
        if (!bad) return length;
        BadDescriptors++;
        return -2;
    }

    /// <summary>Gives the slots read back to the producer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EndReceive()
    {
        if (!_weAreClient)
        {
            _ring.Tail = _cursor;
            return;
        }
        // Client: re-post every slot we have read, with the full buffer and clean flags (a stale
        // NEXT bit from a previous chain must not survive into the server's next frame).
        ushort target = (ushort)(_cursor + _size);
        if (_posted == target) return;
        while (_posted != target)
        {
            ref MemifDescriptor d = ref _ring.At(_posted);
            d.Flags = 0;
            d.Region = 0;
            d.Length = _bufferSize;
            d.Offset = _ownBuffersOffset + (uint)(_posted & (_size - 1)) * _bufferSize;
            _posted++;
        }
        _ring.Head = _posted;
    }

    /// <summary>Sees how many slots may be filled now; returns that number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int BeginTransmit()
    {
        int free;
        if (_weAreClient)
        {
            // Our buffers: everything the server has not handed back yet is in flight.
            free = RingMath.Free(_cursor, _ring.Tail, _size);
        }
        else
        {
            // The client's buffers: only what it has posted beyond our tail.
            int posted = (ushort)(_ring.Head - _cursor);
            if (posted > _size)
            {
                BadCounters++;
                posted = _size;
            }
            free = posted;
        }
        _end = (ushort)(_cursor + free);
        return free;
    }

    /// <summary>Copies a frame into the ring, chaining slots when it exceeds a buffer.</summary>
    /// <returns>False when the ring has no room for all of it (or the peer's descriptor is bad): nothing was published.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool WriteFrame(byte* source, int length)
    {
        ushort c = _cursor;
        int remaining = length;
        do
        {
            if (c == _end) return false;
            byte* dst;
            uint capacity;
            ref MemifDescriptor d = ref _ring.At(c);
            if (_weAreClient)
            {
                capacity = _bufferSize;
                dst = _ownBuffers + (nint)(c & (_size - 1)) * _bufferSize;
                d.Region = 0;
                d.Offset = _ownBuffersOffset + (uint)(c & (_size - 1)) * _bufferSize;
            }
            else
            {
                MemifDescriptor posted = d;
                capacity = posted.Length;
                dst = _regions.Resolve(posted.Region, posted.Offset, capacity);
                if (dst == null || capacity == 0)
                {
                    BadDescriptors++;
                    return false;
                }
            }
            int chunk = remaining < capacity ? remaining : (int)capacity;
            Buffer.MemoryCopy(source + (length - remaining), dst, chunk, chunk);
            remaining -= chunk;
            d.Length = (uint)chunk;
            d.Flags = remaining > 0 ? MemifConstants.DescriptorFlagNext : (ushort)0;
            c++;
        }
        while (remaining > 0);
        _cursor = c;
        return true;
    }

    /// <summary>Publishes what was written, and writes the eventfd when the receiver asked for interrupts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EndTransmit(bool wroteAny)
    {
        if (!wroteAny) return;
        if (_weAreClient) _ring.Head = _cursor;
        else _ring.Tail = _cursor;
        if ((_ring.Flags & MemifConstants.RingFlagMaskInterrupt) == 0 && EventFd >= 0) LibC.Signal(EventFd);
    }
}
