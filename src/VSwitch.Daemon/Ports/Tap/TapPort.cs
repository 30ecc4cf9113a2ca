using VSwitch.Daemon.Ports.Linux;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Offload;
using VSwitch.Datapath.Ports;

namespace VSwitch.Daemon.Ports.Tap;

/// <summary>How a <see cref="TapPort"/> moves frames to and from its device.</summary>
public enum TapIo
{
    /// <summary>io_uring when the kernel allows it, else one read or write per frame.</summary>
    Auto,

    /// <summary>io_uring, or the port cannot be opened.</summary>
    Ring,

    /// <summary>One read(2) or write(2) per frame (the design Open vSwitch's tap ports use).</summary>
    PerFrame,
}

/// <summary>
/// A port on a TAP device: frames the kernel (or a namespace the device was moved into) sends
/// to the device are read here, and frames the switch sends are written to it.
/// </summary>
/// <remarks>
/// <para>The device is attached with IFF_VNET_HDR and TUNSETOFFLOAD (checksum, TSO4, TSO6): the
/// kernel hands over TCP super-frames of up to 64 KiB with their checksum left partial, and takes
/// them back the same way, so a TCP stream crosses the switch in few, large frames. The 10-byte
/// virtio-net header is read into and written from the slot's headroom, just before the frame,
/// so neither direction copies the frame.</para>
/// <para>A TAP device offers only read(2) and write(2) of one frame, so the cost is the number of
/// system calls. Two ways to move frames, chosen when the port opens:</para>
/// <list type="bullet">
/// <item><b>io_uring</b> (<c>TapPort.Ring.cs</c>, the default): a burst of reads, or a burst of
/// writes, leaves in one io_uring_enter and their results come back through shared memory; a
/// poll request in the same ring says when an empty device has frames again, so an idle port
/// makes no system call.</item>
/// <item><b>Per frame</b> (<c>TapPort.PerFrame.cs</c>): one non-blocking read or write per frame,
/// capped near 0.25 Mpps here by the system call alone. Used when io_uring_setup fails (ENOSYS,
/// EPERM under seccomp or kernel.io_uring_disabled); <see cref="RingUnavailable"/> says why.</item>
/// </list>
/// <para>Either way, an empty device reports nothing, and an error that means the device is gone
/// (its namespace was deleted, say) takes the port down; the daemon may re-open it by name.</para>
/// <para>A device that existed before the switch attached is left in place on dispose; one the
/// switch created disappears with the descriptor unless <c>keep</c> made it persistent.</para>
/// </remarks>
public sealed unsafe partial class TapPort : IPort, IPollablePort
{
    /// <summary>Where a read puts the virtio-net header: right before the frame at the headroom.</summary>
    private const int ReadStart = FramePool.Headroom - VirtioNetHeader.Length;

    private readonly FramePool _pool;
    private int _fd;
    private bool _up = true;

    /// <exception cref="PortOpenException">The device cannot be attached, or <paramref name="io"/>
    /// is <see cref="TapIo.Ring"/> and io_uring is unavailable.</exception>
    public TapPort(string name, FramePool pool, bool keep = false, TapIo io = TapIo.Auto)
    {
        Name = name;
        _pool = pool;
        Existed = NetDevice.IndexOf(name) != 0;
        _fd = TunTapDevice.Attach(name, persist: keep && !Existed);
        int error = NetDevice.BringUp(name);
        if (error != 0) Fail($"tap:{name}: cannot bring the device up: {LibC.ErrorText(error)}");
        RingUnavailable = io == TapIo.PerFrame ? "per-frame I/O asked for" : OpenRing();
        if (RingUnavailable is not null && io == TapIo.Ring) Fail($"tap:{name}: {RingUnavailable}");
    }

    private void Fail(string message)
    {
        LibC.Close(_fd);
        throw new PortOpenException(message);
    }

    public string Name { get; }

    /// <summary>Whether the device existed before the switch attached to it.</summary>
    public bool Existed { get; }

    /// <summary>Null when frames move through io_uring; otherwise why they move one system call each.</summary>
    public string? RingUnavailable { get; }

    public bool IsUp => _up;

    public bool TakesOffloads => true;

    /// <summary>With io_uring, the ring's descriptor (readable when completions wait); otherwise the device's.</summary>
    public int FileDescriptor => _ring?.FileDescriptor ?? _fd;

    /// <summary>The errno that took the port down, if it went down.</summary>
    public int LastError { get; private set; }

    public int Receive(Span<FrameDescriptor> burst) => _ring is null ? ReceiveEach(burst) : ReceiveRing(burst);

    public int Transmit(ReadOnlySpan<FrameDescriptor> burst) => _ring is null ? TransmitEach(burst) : TransmitRing(burst);

    // EBADFD: the device was unregistered under the descriptor (deleted, or its namespace went away).
    private static bool IsGone(int errno) => errno is LibC.EBADF or LibC.EBADFD or LibC.ENODEV or LibC.ENXIO;

    private void GoDown(int errno)
    {
        _up = false;
        LastError = errno;
    }

    public void Dispose()
    {
        // The ring's requests hold the device open and own pool slots: they end first.
        DisposeRing();
        if (_fd >= 0) LibC.Close(_fd);
        _fd = -1;
        _up = false;
    }
}
