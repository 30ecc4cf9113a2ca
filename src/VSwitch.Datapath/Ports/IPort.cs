using VSwitch.Datapath.Buffers;

namespace VSwitch.Datapath.Ports;

/// <summary>A switch port: a source and a sink of frame bursts.</summary>
/// <remarks>
/// <para><see cref="Receive"/> never blocks: it fills at most <c>burst.Length</c> descriptors
/// (slot, offset and length; the loop fills in the rest) with frames in slots rented from the
/// pool the port was built with, and returns how many; 0 means nothing now.</para>
/// <para><see cref="Transmit"/> takes ownership of every frame it is given, sent or not: each
/// slot goes back to the pool. It returns how many of the frames, from the first on, were sent;
/// the loop counts the rest as transmit errors.</para>
/// <para>Neither method throws for I/O errors: a port whose device failed reports
/// <see cref="IsUp"/> false, receives nothing and drops what it is given. Both are called only
/// from the forwarding loop's thread.</para>
/// </remarks>
public interface IPort : IDisposable
{
    /// <summary>The port's name, as configured (<c>vs0</c>, <c>eth1</c>, a file name).</summary>
    string Name { get; }

    /// <summary>False when the device behind the port has gone away or failed.</summary>
    bool IsUp { get; }

    int Receive(Span<FrameDescriptor> burst);

    int Transmit(ReadOnlySpan<FrameDescriptor> burst);

    /// <summary>True when the port can send frames with a partial checksum or as TCP super-frames
    /// (it passes a virtio-net header to the kernel); the switch finishes both for other ports.</summary>
    bool TakesOffloads => false;

    /// <summary>Frames the kernel or device dropped before the port could read them (a full
    /// receive ring), since the port opened; 0 where the port cannot tell. Read off the loop's
    /// hot path (counter snapshots), so it may make a system call.</summary>
    long ReceiveDropsBeforePort => 0;
}

/// <summary>A port whose frames carry timestamps of their own (a capture being replayed).</summary>
/// <remarks>Replay moves the clock to the earliest pending timestamp over all such ports and then
/// runs one poll, so frames enter the switch in capture-time order across ports.</remarks>
public interface ITimedSource
{
    /// <summary>The timestamp of the next frame <see cref="IPort.Receive"/> would return, or false at the end.</summary>
    bool TryPeekTimestamp(out long nanoseconds);
}
