using System.Diagnostics;
using System.Globalization;
using System.Text;
using VSwitch.Linux;

namespace VSwitch.Daemon.Hosting;

// sd_notify(3) without libsystemd: one datagram per state change to the AF_UNIX socket systemd
// names in NOTIFY_SOCKET (a path, or '@' for an abstract name). Type=notify units wait for
// READY=1; RELOADING=1 ... READY=1 brackets a reload; STOPPING=1 says the stop is under way;
// WATCHDOG=1 proves life when WatchdogSec= is set. Without NOTIFY_SOCKET every call is a no-op,
// so the daemon behaves the same outside systemd.

/// <summary>Tells systemd the daemon's state (sd_notify protocol).</summary>
public sealed class SystemdNotifier
{
    private readonly string? _socket;

    /// <param name="socket">The notification socket (a path or <c>@name</c>); null: notify nobody.</param>
    /// <param name="watchdog">How often systemd expects WATCHDOG=1; null when it does not.</param>
    public SystemdNotifier(string? socket, TimeSpan? watchdog = null)
    {
        _socket = socket is { Length: > 0 } ? socket : null;
        Watchdog = _socket is null ? null : watchdog;
    }

    /// <summary>The notifier systemd's environment describes (NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID).</summary>
    public static SystemdNotifier FromEnvironment()
    {
        string? socket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        TimeSpan? watchdog = null;
        // WATCHDOG_PID, when set, names the process the watchdog is for: a child of ours inherits the variables.
        string? pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (ulong.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong usec) && usec > 0
            && (pid is null || pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
            watchdog = TimeSpan.FromMicroseconds(usec);
        return new SystemdNotifier(socket, watchdog);
    }

    /// <summary>True when there is someone to notify.</summary>
    public bool Enabled => _socket is not null;

    /// <summary>The watchdog period systemd set (WatchdogSec=), or null.</summary>
    public TimeSpan? Watchdog { get; }

    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    public void Reloading() => Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}\nSTATUS=reloading the tables");

    public void Stopping() => Send("STOPPING=1\nSTATUS=stopping");

    public void WatchdogAlive() => Send("WATCHDOG=1");

    /// <summary>Sends one notification; a failure is ignored (systemd gone, say), as sd_notify's callers do.</summary>
    public unsafe void Send(string state)
    {
        if (_socket is null) return;
        int fd = LibC.Socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) return;
        try
        {
            SockAddrUn address;
            int length = LibC.SocketAddress(_socket, &address);
            if (length < 0) return;
            byte[] bytes = Encoding.UTF8.GetBytes(state);
            fixed (byte* p = bytes) _ = LibC.SendTo(fd, p, (nuint)bytes.Length, 0, &address, length);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    // CLOCK_MONOTONIC in microseconds, which RELOADING=1 carries for systemd 253 and later.
    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));
}
