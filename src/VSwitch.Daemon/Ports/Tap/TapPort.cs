using VSwitch.Daemon.Ports.Linux;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Offload;
using VSwitch.Datapath.Ports;
using VSwitch.Linux;

namespace VSwitch.Daemon.Ports.Tap;

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
/// <para>One read or write per frame (the measured ceiling of that design is about 0.25 Mpps
/// here; see docs). Non-blocking: an empty device returns EAGAIN and the port reports nothing.
/// Any other error means the device is gone (its namespace was deleted, say): the port goes
/// down and the daemon may re-open it by name.</para>
/// <para>A device that existed before the switch attached is left in place on dispose; one the
/// switch created disappears with the descriptor unless <c>keep</c> made it persistent. The
/// daemon creates its devices persistent (<see cref="PersistentTap"/>), so that a container's
/// interface outlives a restart, and lets one go (<see cref="LetDeviceGo"/>) when its port is deleted.</para>
/// </remarks>
public sealed unsafe class TapPort : IPort, IPollablePort
{
    private readonly FramePool _pool;
    private int _fd;
    private bool _up = true;

    public TapPort(string name, FramePool pool, bool keep = false)
        : this(name, pool, AttachHere(name, keep, out bool existed), existed)
    {
    }

    /// <summary>A port on a descriptor already attached to the device (the daemon's persistent TAPs, <see cref="PersistentTap"/>).</summary>
    internal TapPort(string name, FramePool pool, int fd, bool existed)
    {
        Name = name;
        _pool = pool;
        _fd = fd;
        Existed = existed;
    }

    // Attaches (creating the device when missing) in this namespace and brings it up.
    private static int AttachHere(string name, bool persist, out bool existed)
    {
        existed = NetDevice.IndexOf(name) != 0;
        int fd = TunTapDevice.Attach(name, persist: persist && !existed);
        int error = NetDevice.BringUp(name);
        if (error == 0) return fd;
        LibC.Close(fd);
        throw new PortOpenException($"tap:{name}: cannot bring the device up: {LibC.ErrorText(error)}");
    }

    public string Name { get; }

    /// <summary>Whether the device existed before the switch attached to it.</summary>
    public bool Existed { get; }

    public bool IsUp => _up;

    public bool TakesOffloads => true;

    public int FileDescriptor => _fd;

    /// <summary>Where the device is now (its namespace's inode and its name there); null when that cannot be read.</summary>
    public (ulong Namespace, string Device)? Locate() => _fd >= 0 ? TunTapDevice.Locate(_fd) : null;

    /// <summary>Clears IFF_PERSIST so that the device disappears with this port's descriptor (on dispose).</summary>
    /// <returns>0 or an errno.</returns>
    public int LetDeviceGo() => _fd >= 0 ? TunTapDevice.SetPersist(_fd, false) : LibC.EBADF;

    /// <summary>The errno that took the port down, if it went down.</summary>
    public int LastError { get; private set; }

    public int Receive(Span<FrameDescriptor> burst)
    {
        if (!_up) return 0;
        int n = 0;
        const int Start = FramePool.Headroom - VirtioNetHeader.Length;
        while (n < burst.Length && _pool.TryRent(out int slot))
        {
            byte* buffer = _pool.SlotAddress(slot) + Start;
            nint read = LibC.Read(_fd, buffer, (nuint)(_pool.SlotSize - Start));
            if (read < VirtioNetHeader.Length + 14)
            {
                _pool.Return(slot);
                if (read >= 0) continue;
                int errno = LibC.LastError;
                if (IsGone(errno)) GoDown(errno);
                break;
            }
            var d = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = (int)read - VirtioNetHeader.Length };
            if (!VirtioNetHeader.TryRead(new ReadOnlySpan<byte>(buffer, VirtioNetHeader.Length), ref d.Flags, ref _pool.Offload(slot)))
            {
                // An offload this switch cannot carry (UDP fragmentation offload): nothing sane to forward.
                _pool.Return(slot);
                continue;
            }
            burst[n++] = d;
        }
        return n;
    }

    public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
    {
        int sent = 0;
        foreach (ref readonly FrameDescriptor d in burst)
        {
            if (_up && Write(d)) sent++;
            _pool.Return(d.Slot);
        }
        return sent;
    }

    private bool Write(in FrameDescriptor d)
    {
        byte* buffer = VnetFraming.Prepend(_pool, d);
        nint written = LibC.Write(_fd, buffer, (nuint)(d.Length + VirtioNetHeader.Length));
        if (written >= 0) return true;
        // EIO: the device is administratively down (being moved or configured); EAGAIN/ENOBUFS: its
        // queue is full. Both drop this frame only. The device being gone takes the port down.
        int errno = LibC.LastError;
        if (IsGone(errno)) GoDown(errno);
        return false;
    }

    // EBADFD: the device was unregistered under the descriptor (deleted, or its namespace went away).
    private static bool IsGone(int errno) => errno is LibC.EBADF or LibC.EBADFD or LibC.ENODEV or LibC.ENXIO;

    private void GoDown(int errno)
    {
        _up = false;
        LastError = errno;
    }

    public void Dispose()
    {
        if (_fd >= 0) LibC.Close(_fd);
        _fd = -1;
        _up = false;
    }
}
