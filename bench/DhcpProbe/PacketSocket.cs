using System.Runtime.InteropServices;

namespace DhcpProbe;

/// <summary>
/// An AF_PACKET socket on one interface, for IPv4 frames, in promiscuous mode: the probe sends
/// from many client MACs and must see the unicast replies addressed to them, as a real client in
/// its INIT state does with its own raw socket.
/// </summary>
/// <remarks>The socket also sees the frames it sends; <see cref="DhcpFrames.TryReadReply"/> drops them
/// (they go to port 67, replies to port 68).</remarks>
internal sealed unsafe partial class PacketSocket : IDisposable
{
    private const int AF_PACKET = 17, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SO_RCVBUFFORCE = 33;
    private const int SOL_PACKET = 263, PACKET_ADD_MEMBERSHIP = 1, PACKET_MR_PROMISC = 1, MSG_DONTWAIT = 0x40, EAGAIN = 11, EINTR = 4;
    private const ushort ETH_P_IP_BE = 0x0008;   // htons(0x0800)
    private readonly int _fd;

    public PacketSocket(string interfaceName)
    {
        int index = (int)if_nametoindex(interfaceName);
        if (index == 0) throw new InvalidOperationException($"no interface {interfaceName}");
        _fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, ETH_P_IP_BE);
        if (_fd < 0) Fail("socket(AF_PACKET)");
        byte* address = stackalloc byte[20];
        new Span<byte>(address, 20).Clear();
        *(ushort*)address = AF_PACKET;
        *(ushort*)(address + 2) = ETH_P_IP_BE;
        *(int*)(address + 4) = index;
        if (bind(_fd, address, 20) != 0) Fail("bind");
        byte* membership = stackalloc byte[16];
        new Span<byte>(membership, 16).Clear();
        *(int*)membership = index;
        *(ushort*)(membership + 4) = PACKET_MR_PROMISC;
        if (setsockopt(_fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, membership, 16) != 0) Fail("PACKET_ADD_MEMBERSHIP");
        // Room for a window's worth of replies while the probe is busy sending.
        int size = 8 << 20;
        setsockopt(_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(int));
    }

    public void Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            while (send(_fd, p, (nuint)frame.Length, 0) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR && errno != EAGAIN) Fail("send");
            }
        }
    }

    /// <summary>One frame into <paramref name="buffer"/>; 0 when none came within <paramref name="timeoutMilliseconds"/> (0: do not wait).</summary>
    public int Receive(Span<byte> buffer, int timeoutMilliseconds)
    {
        fixed (byte* p = buffer)
        {
            nint n = recv(_fd, p, (nuint)buffer.Length, MSG_DONTWAIT);
            if (n > 0) return (int)n;
            if (timeoutMilliseconds == 0) return 0;
            PollFd fd = new() { Fd = _fd, Events = 1 };
            if (poll(&fd, 1, timeoutMilliseconds) <= 0) return 0;
            n = recv(_fd, p, (nuint)buffer.Length, MSG_DONTWAIT);
            return n > 0 ? (int)n : 0;
        }
    }

    public void Dispose() => close(_fd);

    private static void Fail(string what) =>
        throw new InvalidOperationException($"{what} failed: errno {Marshal.GetLastPInvokeError()} (the probe needs root, inside the client's namespace)");

    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, void* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);
}
