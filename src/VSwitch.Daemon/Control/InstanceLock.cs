using System.Globalization;
using System.Text;
using VSwitch.Linux;

namespace VSwitch.Daemon.Control;

/// <summary>
/// The claim one vswitchd holds on its control socket: an exclusive flock(2) on
/// <c>SOCKET.lock</c>, with the holder's process id written in it, taken before any port is
/// opened, so that a second daemon for the same switch refuses at once instead of opening ports
/// beside the first.
/// </summary>
/// <remarks>The kernel drops the lock when the process ends, however it ends (SIGKILL included),
/// so a stale lock file never blocks a restart; the file itself is left in place.</remarks>
public sealed class InstanceLock : IDisposable
{
    private int _fd;

    private InstanceLock(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    /// <summary>The lock file: the control socket's path with <c>.lock</c> appended.</summary>
    public string Path { get; }

    /// <summary>Takes the lock beside <paramref name="controlPath"/>.</summary>
    /// <exception cref="IOException">Another vswitchd holds it (the message names its process id), or the file cannot be opened.</exception>
    public static InstanceLock Acquire(string controlPath)
    {
        string path = System.IO.Path.GetFullPath(controlPath) + ".lock";
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0b110_100_100);
        if (fd < 0) throw new IOException($"{path}: cannot open the instance lock: {LibC.ErrorText(LibC.LastError)}");
        if (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            int errno = LibC.LastError;
            string holder = ReadHolder(fd);
            LibC.Close(fd);
            throw new IOException(errno == LibC.EAGAIN
                ? $"{path}: another vswitchd{holder} holds this control socket ({controlPath}); stop it first"
                : $"{path}: cannot lock: {LibC.ErrorText(errno)}");
        }
        WritePid(fd);
        return new InstanceLock(fd, path);
    }

    public void Dispose()
    {
        if (_fd >= 0) LibC.Close(_fd);
        _fd = -1;
    }

    private static unsafe string ReadHolder(int fd)
    {
        byte* buffer = stackalloc byte[32];
        if (LibC.Lseek(fd, 0, 0) != 0) return "";
        nint n = LibC.Read(fd, buffer, 32);
        if (n <= 0) return "";
        string text = Encoding.ASCII.GetString(buffer, (int)n).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? $" (pid {pid})" : "";
    }

    private static unsafe void WritePid(int fd)
    {
        byte[] text = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        _ = LibC.Ftruncate(fd, 0);
        fixed (byte* p = text) _ = LibC.Write(fd, p, (nuint)text.Length);
    }
}
