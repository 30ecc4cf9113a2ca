using System.Runtime.InteropServices;

namespace VSwitch.Daemon.Ports.Linux;

/// <summary>The few libc calls the Linux ports make, with blittable signatures.</summary>
/// <remarks>LibraryImport generates errno capture (<see cref="Marshal.GetLastPInvokeError"/>)
/// without runtime marshalling cost; every argument is a pointer or a number.</remarks>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public const int AF_UNIX = 1, AF_INET = 2, AF_PACKET = 17, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_SNDBUF = 7, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33, SO_ERROR = 4;
    public const int SOL_PACKET = 263;
    public const int PACKET_ADD_MEMBERSHIP = 1, PACKET_RX_RING = 5, PACKET_STATISTICS = 6, PACKET_COPY_THRESH = 7, PACKET_VERSION = 10, PACKET_HDRLEN = 11,
        PACKET_TX_RING = 13, PACKET_LOSS = 14, PACKET_VNET_HDR = 15, PACKET_QDISC_BYPASS = 20, PACKET_IGNORE_OUTGOING = 23;
    public const int PACKET_MR_PROMISC = 1;
    public const int TPACKET_V2 = 1;
    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_LOCKED = 0x2000;
    public const int MSG_DONTWAIT = 0x40;
    public const short POLLIN = 1, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32;
    public const int EINTR = 4, EIO = 5, ENXIO = 6, EBADF = 9, EAGAIN = 11, ENODEV = 19, ENETDOWN = 100, ENOBUFS = 105, EBADFD = 77;
    public const ushort ETH_P_ALL = 0x0003;

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, void* address, int length);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport(Lib, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, int* length);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);

    [LibraryImport(Lib, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, int addressLength);

    [LibraryImport(Lib, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int type);

    [LibraryImport(Lib, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    [LibraryImport(Lib, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    /// <summary>The C library's text for an errno value (cold path: errors and logs).</summary>
    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    public static int LastError => Marshal.GetLastPInvokeError();
}

[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short Revents;
}
