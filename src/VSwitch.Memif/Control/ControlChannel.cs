using VSwitch.Memif.Protocol;
using VSwitch.Linux;

namespace VSwitch.Memif.Control;

/// <summary>What one non-blocking read of the control socket found.</summary>
public enum ReceiveStatus : byte
{
    /// <summary>A 128-byte message (and perhaps one descriptor).</summary>
    Message,
    /// <summary>Nothing waiting.</summary>
    WouldBlock,
    /// <summary>The peer closed the socket (a 0-byte read) or it failed.</summary>
    Closed,
    /// <summary>A datagram of another size or with more than one descriptor: the protocol says drop the connection.</summary>
    Malformed,
}

/// <summary>A memif control connection: an AF_UNIX SOCK_SEQPACKET socket carrying 128-byte messages,
/// each with at most one file descriptor in SCM_RIGHTS.</summary>
/// <remarks>Non-blocking: callers poll it from their own loop and never wait on a peer. A received
/// descriptor is owned by the caller; descriptors that came along uninvited (more than one, or
/// with a malformed message) are closed here so a peer cannot fill our descriptor table.</remarks>
public sealed unsafe class ControlChannel : IDisposable
{
    private const int ControlSpace = 64;

    public ControlChannel(int fd) => Fd = fd;

    public int Fd { get; private set; }

    /// <summary>Connects to a server's socket (a path, or <c>@name</c> for an abstract name).</summary>
    /// <returns>The channel, or null and why (no server listening there yet, say).</returns>
    public static ControlChannel? TryConnect(string path, out string? error)
    {
        SockAddrUn address;
        int length = LibC.SocketAddress(path, &address);
        if (length < 0)
        {
            error = $"socket name '{path}' is empty or longer than 107 bytes";
            return null;
        }
        int fd = LibC.Socket(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            error = "socket: " + LibC.ErrorText(LibC.LastError);
            return null;
        }
        if (LibC.Connect(fd, &address, length) != 0)
        {
            error = $"connect {path}: " + LibC.ErrorText(LibC.LastError);
            LibC.Close(fd);
            return null;
        }
        // Non-blocking from here: the connect itself is local and immediate.
        SetNonBlocking(fd);
        error = null;
        return new ControlChannel(fd);
    }

    internal static void SetNonBlocking(int fd)
    {
        const int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 0x800;
        int flags = LibC.Fcntl(fd, F_GETFL, 0);
        LibC.Fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }

    /// <summary>Tells the peer why the link ends (DISCONNECT, code 1), best effort: it may be gone already.</summary>
    public void SendDisconnect(string reason)
    {
        Span<byte> m = stackalloc byte[MemifConstants.MessageSize];
        MemifMessageWriter.Disconnect(m, 1, reason);
        Send(m);
    }

    /// <summary>Sends one message, with <paramref name="fd"/> attached when it is not negative.</summary>
    public bool Send(ReadOnlySpan<byte> message, int fd = -1)
    {
        if (Fd < 0) return false;
        byte* control = stackalloc byte[ControlSpace];
        fixed (byte* data = message)
        {
            var iov = new IoVec { Base = data, Length = (nuint)message.Length };
            var msg = new MsgHdr { Iov = &iov, IovLength = 1 };
            if (fd >= 0)
            {
                new Span<byte>(control, ControlSpace).Clear();
                var header = (CmsgHdr*)control;
                header->Length = (nuint)(sizeof(CmsgHdr) + sizeof(int));
                header->Level = LibC.SOL_SOCKET;
                header->Type = LibC.SCM_RIGHTS;
                *(int*)(control + sizeof(CmsgHdr)) = fd;
                msg.Control = control;
                msg.ControlLength = (nuint)(sizeof(CmsgHdr) + 8);  // CMSG_SPACE(sizeof(int))
            }
            return LibC.SendMsg(Fd, &msg, LibC.MSG_NOSIGNAL | LibC.MSG_DONTWAIT) == message.Length;
        }
    }

    /// <summary>Reads one message without blocking into <paramref name="message"/> (128 bytes).</summary>
    public ReceiveStatus TryReceive(Span<byte> message, out int fd)
    {
        fd = -1;
        if (Fd < 0) return ReceiveStatus.Closed;
        byte* control = stackalloc byte[ControlSpace];
        // One byte more than a message, so an oversized datagram shows as MSG_TRUNC or a long read.
        byte* data = stackalloc byte[MemifConstants.MessageSize + 1];
        var iov = new IoVec { Base = data, Length = MemifConstants.MessageSize + 1 };
        var msg = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSpace };
        nint n = LibC.RecvMsg(Fd, &msg, LibC.MSG_DONTWAIT | LibC.MSG_CMSG_CLOEXEC);
        if (n < 0)
        {
            int errno = LibC.LastError;
            return errno is LibC.EAGAIN or LibC.EINTR ? ReceiveStatus.WouldBlock : ReceiveStatus.Closed;
        }
        int received = CollectDescriptors(&msg, out fd);
        if (n == 0 && received == 0) return ReceiveStatus.Closed;
        if (n != MemifConstants.MessageSize || received > 1 || (msg.Flags & (LibC.MSG_TRUNC | LibC.MSG_CTRUNC)) != 0)
        {
            if (fd >= 0) LibC.Close(fd);
            fd = -1;
            return ReceiveStatus.Malformed;
        }
        new ReadOnlySpan<byte>(data, MemifConstants.MessageSize).CopyTo(message);
        return ReceiveStatus.Message;
    }

    // Keeps the first descriptor and closes the others; returns how many there were.
    private static int CollectDescriptors(MsgHdr* msg, out int first)
    {
        first = -1;
        int count = 0;
        byte* p = (byte*)msg->Control;
        byte* end = p + msg->ControlLength;
        while (p + sizeof(CmsgHdr) <= end)
        {
            var header = (CmsgHdr*)p;
            if (header->Length < (nuint)sizeof(CmsgHdr) || p + header->Length > end) break;
            if (header->Level == LibC.SOL_SOCKET && header->Type == LibC.SCM_RIGHTS)
            {
                int fds = (int)((header->Length - (nuint)sizeof(CmsgHdr)) / sizeof(int));
                for (int i = 0; i < fds; i++)
                {
                    int fd = ((int*)(p + sizeof(CmsgHdr)))[i];
                    if (count++ == 0) first = fd;
                    else LibC.Close(fd);
                }
            }
            p += (header->Length + 7) & ~(nuint)7;
        }
        return count;
    }

    public void Dispose()
    {
        if (Fd >= 0) LibC.Close(Fd);
        Fd = -1;
    }
}
