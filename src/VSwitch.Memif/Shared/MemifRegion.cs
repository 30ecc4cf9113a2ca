using VSwitch.Linux;

[assembly: System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Scope = "namespace", Target = "~N:VSwitch.Memif.Shared", Justification = "Shared memory; no VB consumer exists.")]

namespace VSwitch.Memif.Shared;

/// <summary>A shared-memory region: a memfd mapped read-write and shared with the peer.</summary>
/// <remarks>
/// <para>The client creates regions (<see cref="Create"/>): memfd_create with sealing allowed,
/// ftruncate, then F_SEAL_SHRINK so that the size cannot drop under anyone's mapping. The server
/// maps the descriptor it was sent (<see cref="TryMap"/>) only after checking that the file is at
/// least as large as announced and carries F_SEAL_SHRINK: a peer that could shrink its memfd after
/// we mapped it would make every later access past the new end fault (SIGBUS), taking the whole
/// switch down for one bad container.</para>
/// </remarks>
public sealed unsafe class MemifRegion : IDisposable
{
    private MemifRegion(int fd, byte* address, ulong size)
    {
        Fd = fd;
        Address = address;
        Size = size;
    }

    /// <summary>The memfd (owned: closed on dispose).</summary>
    public int Fd { get; private set; }

    public byte* Address { get; private set; }

    public ulong Size { get; }

    /// <summary>Makes a sealed region of <paramref name="size"/> bytes (client role).</summary>
    public static MemifRegion Create(string name, ulong size)
    {
        int fd = LibC.MemfdCreate(name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0) throw new IOException("memfd_create: " + LibC.ErrorText(LibC.LastError));
        if (LibC.Ftruncate(fd, (long)size) != 0 || LibC.Fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK) != 0)
        {
            int errno = LibC.LastError;
            LibC.Close(fd);
            throw new IOException("memfd size or seal: " + LibC.ErrorText(errno));
        }
        void* address = LibC.Mmap(null, (nuint)size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (address == (void*)-1)
        {
            int errno = LibC.LastError;
            LibC.Close(fd);
            throw new IOException("mmap: " + LibC.ErrorText(errno));
        }
        return new MemifRegion(fd, (byte*)address, size);
    }

    /// <summary>Checks a peer's region descriptor and maps it (server role); takes ownership of <paramref name="fd"/> on success only.</summary>
    /// <returns>Null and why, when the descriptor is not a sealed file of at least <paramref name="size"/> bytes or cannot be mapped.</returns>
    public static MemifRegion? TryMap(int fd, ulong size, out string? error)
    {
        error = CheckDescriptor(fd, size);
        if (error is not null) return null;
        void* address = LibC.Mmap(null, (nuint)size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (address == (void*)-1)
        {
            error = "cannot map region: " + LibC.ErrorText(LibC.LastError);
            return null;
        }
        return new MemifRegion(fd, (byte*)address, size);
    }

    /// <summary>Null when <paramref name="fd"/> is a file of at least <paramref name="size"/> bytes sealed against shrinking; else why not.</summary>
    public static string? CheckDescriptor(int fd, ulong size)
    {
        if (fd < 0) return "region without a file descriptor";
        int seals = LibC.Fcntl(fd, LibC.F_GET_SEALS, 0);
        if (seals < 0) return "region descriptor cannot be sealed (not a memfd with sealing allowed)";
        if ((seals & LibC.F_SEAL_SHRINK) == 0) return "region memfd is not sealed against shrinking (F_SEAL_SHRINK)";
        long actual = LibC.Lseek(fd, 0, LibC.SEEK_END);
        if (actual < 0 || (ulong)actual < size) return $"region file has {actual} bytes, fewer than the {size} announced";
        return null;
    }

    public void Dispose()
    {
        if (Address != null) LibC.Munmap(Address, (nuint)Size);
        Address = null;
        if (Fd >= 0) LibC.Close(Fd);
        Fd = -1;
    }
}
