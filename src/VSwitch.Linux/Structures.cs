using System.Runtime.InteropServices;

namespace VSwitch.Linux;

// The structures the calls pass, laid out as 64-bit Linux lays them out.

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

/// <summary><c>struct mmsghdr</c>: a <c>msghdr</c> and the length sendmmsg/recvmmsg moved (64 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal unsafe struct MMsgHdr
{
    public MsgHdr Header;
    public uint Length;
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

/// <summary><c>struct epoll_event</c> on x86_64, where the kernel packs it (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEventPacked
{
    public uint Events;
    public ulong Data;
}

/// <summary><c>struct epoll_event</c> elsewhere (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EpollEventAligned
{
    public uint Events;
    public ulong Data;
}
