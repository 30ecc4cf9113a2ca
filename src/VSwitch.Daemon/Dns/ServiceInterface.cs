using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using VSwitch.Linux;

namespace VSwitch.Daemon.Dns;

/// <summary>
/// Gives the DNS service's TAP device, inside its namespace, the responder MAC and the DNS
/// addresses, through the same <c>struct ifreq</c> ioctls as <c>ifconfig</c>. Call on a thread
/// inside the namespace.
/// </summary>
/// <remarks>
/// Each address gets a default route through the device itself (no gateway), so every asker is
/// on-link through the TAP, whatever subnet it is in, and the kernel resolves it with ARP or ND
/// over the switch. The route leads nowhere but the switch's own segment. Duplicate address
/// detection and router advertisements are off in the namespace: the address is the switch's by
/// configuration, and the service must not take routes from the segment it serves.
/// </remarks>
internal static unsafe class ServiceInterface
{
    private const nuint SIOCADDRT = 0x890B, SIOCSIFADDR = 0x8916, SIOCSIFNETMASK = 0x891C, SIOCSIFHWADDR = 0x8924, SIOCGIFINDEX = 0x8933;
    private const int AF_INET6 = 10, ARPHRD_ETHER = 1, EEXIST = 17;
    private const ushort RTF_UP = 1;

    /// <summary>Settings every interface made later in this namespace starts with; call before creating the TAP.</summary>
    public static void PrepareNamespace()
    {
        foreach (string key in new[] { "accept_dad", "accept_ra", "autoconf" })
            File.WriteAllText($"/proc/sys/net/ipv6/conf/default/{key}", "0");
    }

    /// <summary>Sets the MAC of <paramref name="name"/> and adds <paramref name="addresses"/>, each with prefix length 0.</summary>
    /// <exception cref="IOException">An ioctl failed.</exception>
    public static void Configure(string name, ulong mac, IReadOnlyList<IPAddress> addresses)
    {
        int fd4 = LibC.Socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd4 < 0) throw Fail(name, "socket", LibC.LastError);
        try
        {
            var request = new IfReqAddress();
            Name(ref request, name);
            request.Family = ARPHRD_ETHER;
            for (int i = 0; i < 6; i++) request.Data[i] = (byte)(mac >> (40 - 8 * i));
            if (LibC.Ioctl(fd4, SIOCSIFHWADDR, &request) < 0) throw Fail(name, "SIOCSIFHWADDR", LibC.LastError);

            foreach (IPAddress address in addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork))
            {
                request = new IfReqAddress();
                Name(ref request, name);
                request.Family = LibC.AF_INET;
                address.TryWriteBytes(new Span<byte>(request.Data + 2, 4), out _);
                if (LibC.Ioctl(fd4, SIOCSIFADDR, &request) < 0) throw Fail(name, "SIOCSIFADDR", LibC.LastError);
                request = new IfReqAddress();
                Name(ref request, name);
                request.Family = LibC.AF_INET;
                for (int i = 0; i < 4; i++) request.Data[2 + i] = 0xFF;
                if (LibC.Ioctl(fd4, SIOCSIFNETMASK, &request) < 0) throw Fail(name, "SIOCSIFNETMASK", LibC.LastError);
                AddDefaultRoute4(fd4, name);
            }

            foreach (IPAddress address in addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6))
            {
                var index = new IfReqAddress();
                Name(ref index, name);
                if (LibC.Ioctl(fd4, SIOCGIFINDEX, &index) < 0) throw Fail(name, "SIOCGIFINDEX", LibC.LastError);
                int fd6 = LibC.Socket(AF_INET6, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
                if (fd6 < 0) throw Fail(name, "socket(AF_INET6)", LibC.LastError);
                try
                {
                    var v6 = new In6IfReq { PrefixLength = 128, InterfaceIndex = *(int*)&index.Family };
                    address.TryWriteBytes(new Span<byte>(v6.Address, 16), out _);
                    if (LibC.Ioctl(fd6, SIOCSIFADDR, &v6) < 0) throw Fail(name, "SIOCSIFADDR (IPv6)", LibC.LastError);
                    var route = new In6RtMsg { DestinationLength = 0, Metric = 1, Flags = RTF_UP, InterfaceIndex = v6.InterfaceIndex };
                    if (LibC.Ioctl(fd6, SIOCADDRT, &route) < 0 && LibC.LastError != EEXIST) throw Fail(name, "SIOCADDRT (IPv6)", LibC.LastError);
                }
                finally
                {
                    LibC.Close(fd6);
                }
            }
        }
        finally
        {
            LibC.Close(fd4);
        }
    }

    // 0.0.0.0/0 through the device, no gateway: struct rtentry with the device's name.
    private static void AddDefaultRoute4(int fd, string name)
    {
        byte[] device = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* dev = device)
        {
            var route = new RtEntry { Flags = RTF_UP, Device = dev };
            route.DestinationFamily = LibC.AF_INET;
            route.MaskFamily = LibC.AF_INET;
            if (LibC.Ioctl(fd, SIOCADDRT, &route) < 0 && LibC.LastError != EEXIST) throw Fail(name, "SIOCADDRT", LibC.LastError);
        }
    }

    private static void Name(ref IfReqAddress request, string name)
    {
        fixed (IfReqAddress* r = &request)
        {
            var bytes = new Span<byte>(r, 16);
            bytes.Clear();
            System.Text.Encoding.ASCII.GetBytes(name, bytes);
        }
    }

    private static IOException Fail(string name, string what, int errno) => new($"DNS service interface {name}: {what}: {LibC.ErrorText(errno)}");

    /// <summary><c>struct ifreq</c> with a <c>struct sockaddr</c> (family, 14 bytes of data) at offset 16; also the index of SIOCGIFINDEX.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    private struct IfReqAddress
    {
        [FieldOffset(16)] public ushort Family;
        [FieldOffset(18)] public fixed byte Data[14];
    }

    /// <summary><c>struct rtentry</c> (x86-64 and arm64 layout): destination, gateway and mask as <c>struct sockaddr</c>, flags, device name.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 120)]
    private struct RtEntry
    {
        [FieldOffset(8)] public ushort DestinationFamily;
        [FieldOffset(40)] public ushort MaskFamily;
        [FieldOffset(56)] public ushort Flags;
        [FieldOffset(88)] public byte* Device;
    }

    /// <summary><c>struct in6_rtmsg</c>: destination, source, gateway, type, lengths, metric, info, flags, interface index.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 80)]
    private struct In6RtMsg
    {
        [FieldOffset(52)] public ushort DestinationLength;
        [FieldOffset(56)] public uint Metric;
        [FieldOffset(72)] public uint Flags;
        [FieldOffset(76)] public int InterfaceIndex;
    }

    /// <summary><c>struct in6_ifreq</c>: address, prefix length, interface index.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct In6IfReq
    {
        public fixed byte Address[16];
        public uint PrefixLength;
        public int InterfaceIndex;
    }
}
