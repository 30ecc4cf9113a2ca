using VSwitch.Daemon.Ports.Linux;
using VSwitch.Linux;

namespace VSwitch.Daemon.Ports.Tap;

/// <summary>Opens /dev/net/tun and attaches the descriptor to a TAP device (creating it if needed).</summary>
internal static unsafe class TunTapDevice
{
    private const nuint TUNSETIFF = 0x400454CA, TUNSETPERSIST = 0x400454CB, TUNSETOFFLOAD = 0x400454D0, TUNSETVNETHDRSZ = 0x400454D8;
    private const nuint TUNGETIFF = 0x800454D2, TUNGETDEVNETNS = 0x54E3;
    private const short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
    private const uint TUN_F_CSUM = 0x01, TUN_F_TSO4 = 0x02, TUN_F_TSO6 = 0x04, TUN_F_TSO_ECN = 0x08;

    /// <returns>The non-blocking descriptor.</returns>
    /// <exception cref="PortOpenException">The device cannot be opened or attached.</exception>
    public static int Attach(string name, bool persist)
    {
        int fd = LibC.Open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0) throw Fail(name, "cannot open /dev/net/tun", LibC.LastError);
        try
        {
            var request = new NetDevice.IfReq { Flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
            NetDevice.WriteName(ref request, name);
            if (LibC.Ioctl(fd, TUNSETIFF, &request) < 0) throw Fail(name, "TUNSETIFF failed", LibC.LastError);
            int headerSize = 10;
            if (LibC.Ioctl(fd, TUNSETVNETHDRSZ, &headerSize) < 0) throw Fail(name, "TUNSETVNETHDRSZ failed", LibC.LastError);
            // What we accept from the kernel: partial checksums and TCP super-frames.
            nuint offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
            if (LibC.Ioctl(fd, TUNSETOFFLOAD, (void*)offloads) < 0) throw Fail(name, "TUNSETOFFLOAD failed", LibC.LastError);
            if (persist && LibC.Ioctl(fd, TUNSETPERSIST, (void*)1) < 0) throw Fail(name, "TUNSETPERSIST failed", LibC.LastError);
            return fd;
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>Sets or clears IFF_PERSIST: a persistent device outlives every descriptor (a SIGKILL included);
    /// one that is not disappears when its last descriptor closes.</summary>
    /// <returns>0 or an errno.</returns>
    public static int SetPersist(int fd, bool persist) =>
        LibC.Ioctl(fd, TUNSETPERSIST, (void*)(persist ? 1 : 0)) < 0 ? LibC.LastError : 0;

    /// <summary>Where the device of <paramref name="fd"/> is now: its namespace's inode (TUNGETDEVNETNS,
    /// Linux 5.2) and its name there (TUNGETIFF); null when either cannot be read.</summary>
    public static (ulong Namespace, string Device)? Locate(int fd)
    {
        int ns = LibC.Ioctl(fd, TUNGETDEVNETNS, null);
        if (ns < 0) return null;
        ulong? inode = LibC.InodeOf(ns);
        LibC.Close(ns);
        var request = new NetDevice.IfReq();
        if (inode is null || LibC.Ioctl(fd, TUNGETIFF, &request) < 0) return null;
        return (inode.Value, NetDevice.ReadName(ref request));
    }

    private static PortOpenException Fail(string name, string what, int errno) =>
        new($"tap:{name}: {what}: {LibC.ErrorText(errno)}");
}
