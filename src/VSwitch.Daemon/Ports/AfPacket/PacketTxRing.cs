namespace VSwitch.Daemon.Ports.AfPacket;

/// <summary>
/// The transmit half of a TPACKET_V2 socket's memory-mapped rings: frames are written into ring
/// frames the kernel owns once marked, and one <c>sendto</c> hands over every marked frame.
/// </summary>
/// <remarks>
/// <para>Each ring frame: a 32-byte tpacket2_hdr (status u32 @0, tp_len u32 @4), the data from
/// offset 32 (TPACKET2_HDRLEN less the sockaddr_ll, where the kernel looks when
/// PACKET_TX_HAS_OFF is off). With PACKET_VNET_HDR the data starts with the 10-byte virtio-net
/// header and tp_len counts it.</para>
/// <para>A frame stays the kernel's (SEND_REQUEST, then SENDING) until its skb is freed, which on
/// a veth is after the peer has taken it: a frame is reused only once its status is back to
/// AVAILABLE, so a ring that is full drops rather than overwrites. PACKET_LOSS makes the kernel
/// mark a frame it refuses available again instead of stopping the ring at it.</para>
/// </remarks>
internal sealed unsafe class PacketTxRing
{
    public const int DataOffset = 32;
    private const uint Available = 0, SendRequest = 1;

    private readonly byte* _ring;
    private readonly int _frameSize;
    private readonly int _frameCount;
    private int _next;
    private int _pending;

    public PacketTxRing(byte* ring, int frameSize, int frameCount)
    {
        _ring = ring;
        _frameSize = frameSize;
        _frameCount = frameCount;
    }

    /// <summary>Most bytes (virtio-net header and frame) one ring frame holds.</summary>
    public int Capacity => _frameSize - DataOffset;

    /// <summary>Where the next frame's bytes go, or null when that ring frame is still the kernel's (the ring is full).</summary>
    public byte* TryClaim()
    {
        byte* header = _ring + (nint)_next * _frameSize;
        return Volatile.Read(ref *(uint*)header) == Available ? header + DataOffset : null;
    }

    /// <summary>Marks the claimed frame, <paramref name="length"/> bytes long, for the kernel to send.</summary>
    public void Publish(int length)
    {
        byte* header = _ring + (nint)_next * _frameSize;
        *(uint*)(header + 4) = (uint)length;
        Volatile.Write(ref *(uint*)header, SendRequest);
        _next = _next + 1 == _frameCount ? 0 : _next + 1;
        _pending++;
    }

    /// <summary>How many frames were marked since the last call, and starts counting anew.</summary>
    public int TakePending()
    {
        int n = _pending;
        _pending = 0;
        return n;
    }
}
