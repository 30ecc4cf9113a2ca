using VSwitch.Linux;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>An AF_PACKET socket bound to one interface and one EtherType, for tests that send and
/// receive exact Ethernet frames (no IP stack in the way, no other traffic in the way).</summary>
/// <remarks>Open it inside a namespace with <see cref="NetNamespace.Inside{T}"/>: the socket stays in
/// that namespace and can then be used from any thread.</remarks>
internal sealed unsafe class PacketSocket : IDisposable
{
    private readonly int _fd;

    private PacketSocket(int fd) => _fd = fd;

    /// <summary>Opens the socket on <paramref name="device"/> of the calling thread's namespace.</summary>
    public static PacketSocket Open(string device, ushort etherType)
    {
        ushort protocol = (ushort)((etherType >> 8) | (etherType << 8));
        int fd = LibC.Socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0) throw new InvalidOperationException("socket(AF_PACKET): " + LibC.ErrorText(LibC.LastError));
        // A receive buffer for a whole burst: a frame the socket has no room for is lost, and the
        // tests count every frame.
        int size = 32 << 20;
        LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &size, sizeof(int));
        LibC.SetSockOpt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, &size, sizeof(int));
        // Without this the socket also receives the frames it sends.
        int on = 1;
        LibC.SetSockOpt(fd, LibC.SOL_PACKET, LibC.PACKET_IGNORE_OUTGOING, &on, sizeof(int));
        byte* address = stackalloc byte[20];
        new Span<byte>(address, 20).Clear();
        *(ushort*)address = LibC.AF_PACKET;
        *(ushort*)(address + 2) = protocol;
        *(int*)(address + 4) = (int)LibC.IfNameToIndex(device);
        if (LibC.Bind(fd, address, 20) < 0)
        {
            int errno = LibC.LastError;
            LibC.Close(fd);
            throw new InvalidOperationException($"bind({device}): {LibC.ErrorText(errno)}");
        }
        return new PacketSocket(fd);
    }

    public void Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            if (LibC.Write(_fd, p, (nuint)frame.Length) != frame.Length)
                throw new InvalidOperationException("send: " + LibC.ErrorText(LibC.LastError));
        }
    }

    /// <summary>The next frame, or -1 when none arrives within <paramref name="timeoutMs"/>.</summary>
    public int Receive(Span<byte> buffer, int timeoutMs)
    {
        var wait = new PollFd { Fd = _fd, Events = LibC.POLLIN };
        if (LibC.Poll(&wait, 1, timeoutMs) <= 0) return -1;
        fixed (byte* p = buffer)
        {
            return (int)LibC.Recv(_fd, p, (nuint)buffer.Length, LibC.MSG_DONTWAIT);
        }
    }

    public void Dispose() => LibC.Close(_fd);
}
