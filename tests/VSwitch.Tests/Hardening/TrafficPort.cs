using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Ports;

namespace VSwitch.Tests.Hardening;

/// <summary>
/// A port that makes 60-byte frames in pool slots without allocating, and counts what it is sent:
/// what flood tests push a million frames through without measuring the test's own garbage.
/// </summary>
/// <remarks>Frames carry EtherType 0x88B5 (local experimental), so the peephole passes them by.
/// With <see cref="RandomSource"/> each frame has a fresh unicast, locally administered source
/// MAC from a seeded generator; otherwise <see cref="Source"/>.</remarks>
internal sealed class TrafficPort(string name, FramePool pool, ulong seed = 1) : IPort
{
    private const int FrameLength = 60;
    private ulong _state = seed | 1;

    public string Name { get; } = name;
    public bool IsUp => true;

    public ulong Source { get; set; }
    public ulong Destination { get; set; }
    public bool RandomSource { get; set; }

    /// <summary>Frames still to hand out; each poll hands out up to <see cref="PerPoll"/>.</summary>
    public long Remaining { get; set; }
    public int PerPoll { get; set; } = Burst.MaxSize;

    public long Offered { get; private set; }
    public long ReceivedUnicast { get; private set; }
    public long ReceivedBroadcast { get; private set; }
    /// <summary>Unicast frames received whose source was <paramref name="mac"/>: set <see cref="CountFrom"/>.</summary>
    public ulong CountFrom { get; set; }
    public long ReceivedFromCounted { get; private set; }

    public int Receive(Span<FrameDescriptor> burst)
    {
        int n = 0;
        int limit = (int)Math.Min(Math.Min(burst.Length, PerPoll), Remaining);
        while (n < limit && pool.TryRent(out int slot))
        {
            Span<byte> frame = pool.Slot(slot).Slice(FramePool.Headroom, FrameLength);
            frame.Clear();
            MacAddress.Write(frame, Destination);
            MacAddress.Write(frame[6..], RandomSource ? NextMac() : Source);
            BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x88B5);
            burst[n++] = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = FrameLength };
        }
        Remaining -= n;
        Offered += n;
        return n;
    }

    public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
    {
        foreach (ref readonly FrameDescriptor d in burst)
        {
            ReadOnlySpan<byte> frame = pool.Frame(d);
            ulong dst = MacAddress.Read(frame);
            if (MacAddress.IsMulticast(dst)) ReceivedBroadcast++;
            else ReceivedUnicast++;
            if (MacAddress.Read(frame[6..]) == CountFrom) ReceivedFromCounted++;
            pool.Return(d.Slot);
        }
        return burst.Length;
    }

    public void Dispose() { }

    // xorshift64: cheap, seeded, allocation-free. Bit 1 of the first byte set (locally
    // administered), bit 0 clear (unicast): a source the switch may learn.
    private ulong NextMac()
    {
        _state ^= _state << 13;
        _state ^= _state >> 7;
        _state ^= _state << 17;
        return (_state & 0x0000_FEFF_FFFF_FFFFUL) | 0x0200_0000_0000UL;
    }
}
