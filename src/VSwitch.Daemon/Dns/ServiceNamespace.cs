using VSwitch.Daemon.Ports.Linux;
using VSwitch.Linux;

namespace VSwitch.Daemon.Dns;

/// <summary>
/// A network namespace of the daemon's own, where one tenant's DNS address lives on a TAP device
/// attached to the switch, so that the kernel's TCP and UDP serve it.
/// </summary>
/// <remarks>
/// <para>Namespaces belong to threads: the namespace is made by <c>unshare(CLONE_NEWNET)</c> on a
/// dedicated thread, which then ends, and every later piece of work inside it (the TAP device,
/// the sockets) runs on a fresh thread that first enters it with <c>setns</c>. What such a thread
/// creates keeps the namespace for life, whichever thread uses it later. The namespace lives as
/// long as something in it does (the descriptor held here, the TAP, the sockets); it has no name
/// under /run/netns.</para>
/// </remarks>
internal sealed class ServiceNamespace : IDisposable
{
    private int _fd = -1;

    private ServiceNamespace()
    {
    }

    /// <summary>Makes a new, empty network namespace with loopback up.</summary>
    /// <exception cref="IOException">The kernel refused (no CAP_SYS_ADMIN, say).</exception>
    public static ServiceNamespace Create()
    {
        var ns = new ServiceNamespace();
        RunOnThread(() =>
        {
            if (LibC.Unshare(LibC.CLONE_NEWNET) != 0) throw new IOException($"unshare(CLONE_NEWNET): {LibC.ErrorText(LibC.LastError)}");
            ns._fd = LibC.Open("/proc/thread-self/ns/net", LibC.O_CLOEXEC);
            if (ns._fd < 0) throw new IOException($"open /proc/thread-self/ns/net: {LibC.ErrorText(LibC.LastError)}");
            int error = NetDevice.BringUp("lo");
            if (error != 0) throw new IOException($"bringing lo up: {LibC.ErrorText(error)}");
        });
        return ns;
    }

    /// <summary>Runs <paramref name="work"/> on a thread inside the namespace and returns its result.</summary>
    public T Inside<T>(Func<T> work)
    {
        T result = default!;
        RunOnThread(() =>
        {
            if (LibC.SetNs(_fd, LibC.CLONE_NEWNET) != 0) throw new IOException($"setns: {LibC.ErrorText(LibC.LastError)}");
            result = work();
        });
        return result;
    }

    // A fresh thread per call: a thread that changed namespace must never go back to a pool.
    private static void RunOnThread(Action work)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true, Name = "vswitch-netns" };
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure is IOException ? failure : new IOException(failure.Message, failure);
    }

    public void Dispose()
    {
        if (_fd >= 0) LibC.Close(_fd);
        _fd = -1;
    }
}
