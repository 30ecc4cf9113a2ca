using System.Runtime.InteropServices;

namespace VSwitch.Daemon.Ports.Linux;

/// <summary>The kernel's io_uring interface (include/uapi/linux/io_uring.h): the structures the
/// rings are made of, the constants this switch uses, and the two system calls.</summary>
/// <remarks>There is no libc wrapper for io_uring_setup or io_uring_enter (liburing is not part of
/// a base system), so they go through syscall(2) with the x86_64 numbers; the structures are laid
/// out by hand and their sizes are checked by the unit tests against the header's.</remarks>
internal static unsafe partial class IoUringAbi
{
    public const int SysSetup = 425, SysEnter = 426, SysRegister = 427;

    public const byte OpNop = 0, OpPollAdd = 6, OpAsyncCancel = 14, OpRead = 22, OpWrite = 23;

    public const uint EnterGetEvents = 1 << 0;
    public const uint RwfNoWait = 0x8;
    public const uint FeatSingleMmap = 1 << 0, FeatNoDrop = 1 << 1, FeatFastPoll = 1 << 5;
    public const uint AsyncCancelAll = 1 << 0, AsyncCancelFd = 1 << 1;
    public const uint SqCqOverflow = 1 << 1;

    public const long OffSqRing = 0, OffCqRing = 0x8000000, OffSqes = 0x10000000;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint a1, nint a2, nint a3, nint a4, nint a5);

    /// <returns>The ring's descriptor, or -1 with the errno in <see cref="LibC.LastError"/>.</returns>
    public static int Setup(uint entries, IoUringParams* parameters) =>
        (int)Syscall(SysSetup, (nint)entries, (nint)parameters, 0, 0, 0);

    /// <returns>How many submissions the kernel took, or -1 with the errno in <see cref="LibC.LastError"/>.</returns>
    public static int Enter(int fd, uint toSubmit, uint minComplete, uint flags) =>
        (int)Syscall(SysEnter, fd, (nint)toSubmit, (nint)minComplete, (nint)flags, 0);
}

/// <summary><c>struct io_sqring_offsets</c>, 40 bytes: where the submission ring's fields sit in its mapping.</summary>
[StructLayout(LayoutKind.Sequential, Size = 40)]
internal struct IoSqRingOffsets
{
    public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1;
    public ulong UserAddr;
}

/// <summary><c>struct io_cqring_offsets</c>, 40 bytes: where the completion ring's fields sit in its mapping.</summary>
[StructLayout(LayoutKind.Sequential, Size = 40)]
internal struct IoCqRingOffsets
{
    public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1;
    public ulong UserAddr;
}

/// <summary><c>struct io_uring_params</c>, 120 bytes: passed to io_uring_setup, filled in by it.</summary>
[StructLayout(LayoutKind.Sequential, Size = 120)]
internal struct IoUringParams
{
    public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd;
    public uint Resv0, Resv1, Resv2;
    public IoSqRingOffsets SqOff;
    public IoCqRingOffsets CqOff;
}

/// <summary><c>struct io_uring_sqe</c>, 64 bytes: one request. Only the fields of the
/// operations used here are named; the rest of the unions stay zero.</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct IoUringSqe
{
    [FieldOffset(0)] public byte Opcode;
    [FieldOffset(1)] public byte Flags;
    [FieldOffset(2)] public ushort IoPrio;
    [FieldOffset(4)] public int Fd;
    [FieldOffset(8)] public ulong Offset;
    [FieldOffset(16)] public ulong Address;
    [FieldOffset(24)] public uint Length;
    [FieldOffset(28)] public uint OpFlags;
    [FieldOffset(32)] public ulong UserData;
    [FieldOffset(40)] public ulong Tail0;
    [FieldOffset(48)] public ulong Tail1;
    [FieldOffset(56)] public ulong Tail2;
}

/// <summary><c>struct io_uring_cqe</c>, 16 bytes: one completion.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct IoUringCqe
{
    public ulong UserData;
    public int Result;
    public uint Flags;
}
