using System.Runtime.InteropServices;

namespace VSwitch.Memif.Interop;

/// <summary>The libc calls memif needs: memfd and seals, eventfd, mmap, AF_UNIX SOCK_SEQPACKET
/// sockets with SCM_RIGHTS, and epoll to gather a port's descriptors behind one.</summary>
/// <remarks>Blittable signatures only; errno is captured by LibraryImport. Structure layouts are
/// those of Linux x86_64 and aarch64 (<c>epoll_event</c> is packed on x86_64 only).</remarks>
internal static unsafe partial class Native
{
    private const string Lib = "libc";

    public const int AF_UNIX = 1, SOCK_SEQPACKET = 5, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1, SCM_RIGHTS = 1;
    public const int MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20, MSG_CTRUNC = 0x8, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    public const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    public const int F_ADD_SEALS = 1033, F_GET_SEALS = 1034, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2;
    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    public const int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 1;
    public const int SEEK_END = 2;
    public const short POLLIN = 1;
    public const int EINTR = 4, EAGAIN = 11, EINPROGRESS = 115, ENOENT = 2, ECONNREFUSED = 111;

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(Lib, EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Lib, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, void* address, int length);

    [LibraryImport(Lib, EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    [LibraryImport(Lib, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, void* address, void* length, int flags);

    [LibraryImport(Lib, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, void* address, int length);

    [LibraryImport(Lib, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(Lib, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Lib, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Lib, EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtlPacked(int epfd, int op, int fd, EpollEventPacked* ev);

    [LibraryImport(Lib, EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtlAligned(int epfd, int op, int fd, EpollEventAligned* ev);

    [LibraryImport(Lib, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    public static int LastError => Marshal.GetLastPInvokeError();

    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    /// <summary>Adds or removes <paramref name="fd"/> (readable events) in an epoll set.</summary>
    public static int EpollCtl(int epfd, int op, int fd)
    {
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            var ev = new EpollEventPacked { Events = EPOLLIN, Data = (ulong)fd };
            return EpollCtlPacked(epfd, op, fd, &ev);
        }
        var aligned = new EpollEventAligned { Events = EPOLLIN, Data = (ulong)fd };
        return EpollCtlAligned(epfd, op, fd, &aligned);
    }

    /// <summary>Writes the 8-byte value 1 to an eventfd (an interrupt to its reader).</summary>
    public static void Signal(int eventFd)
    {
        ulong one = 1;
        Write(eventFd, &one, 8);
    }

    /// <summary>Reads an eventfd's count to zero (non-blocking descriptors only).</summary>
    public static void Drain(int eventFd)
    {
        ulong value;
        Read(eventFd, &value, 8);
    }

    /// <summary>Fills a <c>sockaddr_un</c>; a name starting with '@' is abstract ("\0" + name, no trailing NUL).</summary>
    /// <returns>The address length, or -1 when the name does not fit.</returns>
    public static int SocketAddress(string path, SockAddrUn* address)
    {
        *address = default;
        address->Family = AF_UNIX;
        byte* dst = address->Path;
        bool isAbstract = path.StartsWith('@');
        ReadOnlySpan<char> name = isAbstract ? path.AsSpan(1) : path.AsSpan();
        // sun_path has 108 bytes: an abstract name needs its leading NUL, a path its trailing one.
        int bytes = System.Text.Encoding.UTF8.GetByteCount(name);
        if (bytes == 0 || bytes > 107) return -1;
        var span = new Span<byte>(dst + (isAbstract ? 1 : 0), bytes);
        System.Text.Encoding.UTF8.GetBytes(name, span);
        return 2 + bytes + 1;
    }
}

[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short Revents;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* Base;
    public nuint Length;
}

/// <summary><c>struct msghdr</c> (56 bytes on 64-bit Linux).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public void* Name;
    public uint NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

/// <summary><c>struct cmsghdr</c> header: length (size_t), level, type; data follows at 16.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CmsgHdr
{
    public nuint Length;
    public int Level;
    public int Type;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SockAddrUn
{
    public ushort Family;
    public fixed byte Path[108];
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEventPacked
{
    public uint Events;
    public ulong Data;
}

[StructLayout(LayoutKind.Sequential)]
internal struct EpollEventAligned
{
    public uint Events;
    public ulong Data;
}
