using System.Runtime.InteropServices;
using VSwitch.Linux;

namespace VSwitch.Daemon.Ports.Linux;

/// <summary>Interface-level operations through <c>struct ifreq</c> ioctls: index, flags, up.</summary>
internal static unsafe class NetDevice
{
    private const nuint SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    private const short IFF_UP = 0x1;

    /// <summary><c>struct ifreq</c>: a 16-byte name and a 24-byte union (flags as a short at offset 16).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct IfReq
    {
        [FieldOffset(16)] public short Flags;
    }

    public static void WriteName(ref IfReq request, string name)
    {
        fixed (IfReq* r = &request)
        {
            var bytes = new Span<byte>(r, 16);
            bytes.Clear();
            System.Text.Encoding.ASCII.GetBytes(name, bytes);
        }
    }

    public static string ReadName(ref IfReq request)
    {
        fixed (IfReq* r = &request)
        {
            var bytes = new ReadOnlySpan<byte>(r, 16);
            int end = bytes.IndexOf((byte)0);
            return System.Text.Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
        }
    }

    /// <summary>The interface's index, or 0 when there is no such interface in this namespace.</summary>
    public static uint IndexOf(string name) => LibC.IfNameToIndex(name);

    /// <summary>Sets IFF_UP on the interface; returns 0 or an errno.</summary>
    public static int BringUp(string name)
    {
        int fd = LibC.Socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) return LibC.LastError;
        try
        {
            var request = new IfReq();
            WriteName(ref request, name);
            if (LibC.Ioctl(fd, SIOCGIFFLAGS, &request) < 0) return LibC.LastError;
            if ((request.Flags & IFF_UP) != 0) return 0;
            request.Flags |= IFF_UP;
            return LibC.Ioctl(fd, SIOCSIFFLAGS, &request) < 0 ? LibC.LastError : 0;
        }
        finally
        {
            LibC.Close(fd);
        }
    }
}
