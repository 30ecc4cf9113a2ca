using System.Runtime.InteropServices;

namespace VSwitch.Linux;

/// <summary>The C library calls of the switch: files, sockets (AF_PACKET, AF_UNIX with
/// SCM_RIGHTS), TAP ioctls, mmap, memfd and seals, eventfd, poll and epoll, network namespaces.</summary>
/// <remarks>LibraryImport captures errno (<see cref="LastError"/>) without runtime marshalling
/// cost; every argument is a pointer or a number, but for the two path strings of cold calls.</remarks>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    // open(2) with O_CREAT takes the new file's mode as a third argument.
    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(Lib, EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Lib, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

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

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport(Lib, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, int* length);

    [LibraryImport(Lib, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, int addressLength);

    [LibraryImport(Lib, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(Lib, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(Lib, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(Lib, EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMmsg(int fd, MMsgHdr* messages, uint count, int flags);

    [LibraryImport(Lib, EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMmsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Lib, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Lib, EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtlPacked(int epfd, int op, int fd, EpollEventPacked* ev);

    [LibraryImport(Lib, EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtlAligned(int epfd, int op, int fd, EpollEventAligned* ev);

    [LibraryImport(Lib, EntryPoint = "fstat", SetLastError = true)]
    public static partial int Fstat(int fd, void* stat);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int type);

    [LibraryImport(Lib, EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport(Lib, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    [LibraryImport(Lib, EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    /// <summary>The errno of the last call above that failed, on this thread.</summary>
    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>The C library's text for an errno value (cold path: errors and logs).</summary>
    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    /// <summary>Adds or removes <paramref name="fd"/> (readable events) in an epoll set.</summary>
    /// <remarks><c>struct epoll_event</c> is packed on x86_64 only.</remarks>
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

    /// <summary>The inode number of the file a descriptor is open on (<c>st_ino</c>), or null.</summary>
    /// <remarks>For a namespace file (a /proc/PID/ns/net link opened, a /run/netns bind mount, a
    /// descriptor from TUNGETDEVNETNS) this is the number that names the namespace.</remarks>
    public static ulong? InodeOf(int fd)
    {
        // struct stat is 144 bytes on x86-64 and 128 on arm64; st_ino follows the 8-byte st_dev on both.
        byte* stat = stackalloc byte[256];
        return Fstat(fd, stat) == 0 ? *(ulong*)(stat + 8) : null;
    }

    /// <summary>The inode number of the file at <paramref name="path"/>, or null when it cannot be opened.</summary>
    public static ulong? InodeOf(string path)
    {
        int fd = Open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return null;
        try
        {
            return InodeOf(fd);
        }
        finally
        {
            Close(fd);
        }
    }
}
