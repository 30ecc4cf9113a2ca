using System.Globalization;
using System.Text;
using VSwitch.Linux;

namespace VSwitch.Daemon.Claims;

/// <summary>
/// An exclusive flock(2) on a file with the holder's process id written in it: how one vswitchd
/// claims something (its control socket, an interface) so that a second one refuses at once.
/// </summary>
/// <remarks>The kernel drops the lock when the process ends, however it ends (SIGKILL included),
/// so a stale file never blocks a restart; the file itself is left in place (removing it would
/// race with a daemon that just opened it).</remarks>
public sealed class LockFile : IDisposable
{
    private int _fd;

    private LockFile(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Takes the lock on <paramref name="path"/> (created, with its directory, when missing).</summary>
    /// <param name="path">The lock file.</param>
    /// <param name="holder">When another process holds the lock: its process id, or 0 when the file does not say.</param>
    /// <returns>The lock, or null when another process holds it.</returns>
    /// <exception cref="IOException">The file cannot be created, opened or locked.</exception>
    public static LockFile? TryAcquire(string path, out int holder)
    {
        holder = 0;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0b110_100_100);
        if (fd < 0) throw new IOException($"{path}: cannot open the lock file: {LibC.ErrorText(LibC.LastError)}");
        if (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            int errno = LibC.LastError;
            holder = ReadHolder(fd);
            LibC.Close(fd);
            if (errno == LibC.EAGAIN) return null;
            throw new IOException($"{path}: cannot lock: {LibC.ErrorText(errno)}");
        }
        WritePid(fd);
        return new LockFile(fd, path);
    }

    /// <summary>" (pid N)" for a holder that said who it is, else "".</summary>
    public static string Describe(int holder) => holder > 0 ? $" (pid {holder.ToString(CultureInfo.InvariantCulture)})" : "";

    public void Dispose()
    {
        if (_fd >= 0) LibC.Close(_fd);
        _fd = -1;
    }

    private static unsafe int ReadHolder(int fd)
    {
        byte* buffer = stackalloc byte[32];
        if (LibC.Lseek(fd, 0, 0) != 0) return 0;
        nint n = LibC.Read(fd, buffer, 32);
        if (n <= 0) return 0;
        string text = Encoding.ASCII.GetString(buffer, (int)n).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : 0;
    }

    private static unsafe void WritePid(int fd)
    {
        byte[] text = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        _ = LibC.Ftruncate(fd, 0);
        fixed (byte* p = text) _ = LibC.Write(fd, p, (nuint)text.Length);
    }
}
