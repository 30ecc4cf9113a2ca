using VSwitch.Datapath.Buffers;

namespace VSwitch.Datapath.Capture;

/// <summary>A capture attached to one port: the loop hands it each burst the port receives and transmits.</summary>
/// <remarks>
/// The loop's cost when no capture is attached is one null test per burst in each direction
/// (<see cref="Ports.AttachedPort.Capture"/>). With one attached, it reads the wall clock once per
/// burst and copies each frame, cut to the snap length, into the ring; nothing is allocated.
/// Set and cleared on the loop's thread only.
/// </remarks>
public sealed class PortCapture(CaptureRing ring, CaptureDirection directions, int snapLength, int interfaceIndex)
{
    private volatile bool _detached;

    public CaptureRing Ring => ring;

    /// <summary>The port left the switch (removed, or closed to be re-opened): no more frames will come.</summary>
    public bool Detached => _detached;

    internal void Detach() => _detached = true;

    public void Received(FramePool pool, ReadOnlySpan<FrameDescriptor> burst)
    {
        if ((directions & CaptureDirection.Rx) != 0) Copy(pool, burst, CaptureDirection.Rx);
    }

    public void Transmitting(FramePool pool, ReadOnlySpan<FrameDescriptor> burst)
    {
        if ((directions & CaptureDirection.Tx) != 0) Copy(pool, burst, CaptureDirection.Tx);
    }

    private void Copy(FramePool pool, ReadOnlySpan<FrameDescriptor> burst, CaptureDirection direction)
    {
        long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        int tag = (int)direction | interfaceIndex << 8;
        foreach (ref readonly FrameDescriptor d in burst)
        {
            ReadOnlySpan<byte> frame = pool.Frame(d);
            ring.TryWrite(frame.Length > snapLength ? frame[..snapLength] : frame, frame.Length, now, tag);
        }
    }
}
