using System.Runtime.InteropServices;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Linux;

namespace VSwitch.Daemon.Ports.Linux;

/// <summary>
/// Sleeps in poll(2) on every port's descriptor and an eventfd, so an idle switch uses no CPU
/// and still wakes within microseconds of a frame's arrival or a control command.
/// </summary>
/// <remarks>A port without a descriptor (a capture file) cannot wake the loop; while one is
/// attached, the wait is capped at one millisecond.</remarks>
public sealed unsafe class PollWaiter : IIdleWaiter, IDisposable
{
    private readonly int _eventFd;
    private PollFd* _fds;
    private int _count;
    private int _capacity;
    private int _version = -1;
    private bool _allPollable;
    private IPollablePort[] _pollable = [];

    public PollWaiter()
    {
        _eventFd = LibC.EventFd(0, 0x80000 | 0x800);  // EFD_CLOEXEC | EFD_NONBLOCK
        if (_eventFd < 0) throw new InvalidOperationException("eventfd failed: " + LibC.ErrorText(LibC.LastError));
    }

    public void Wait(ForwardingLoop loop, TimeSpan timeout)
    {
        if (loop.Ports.Version != _version) Rebuild(loop);
        int ms = _allPollable ? (int)timeout.TotalMilliseconds : Math.Min(1, (int)timeout.TotalMilliseconds);
        // Ports that must ask their peer for interrupts (memif) do so now, and may say that frames
        // came in meanwhile: then the loop goes back to polling instead of sleeping on them.
        bool sleep = true;
        foreach (IPollablePort p in _pollable) sleep &= p.PrepareToSleep();
        if (sleep && LibC.Poll(_fds, (nuint)_count, Math.Max(ms, 1)) > 0 && _fds[0].Revents != 0)
        {
            ulong drained;
            LibC.Read(_eventFd, (byte*)&drained, 8);
        }
        foreach (IPollablePort p in _pollable) p.Woke();
    }

    public void Wake()
    {
        ulong one = 1;
        LibC.Write(_eventFd, (byte*)&one, 8);
    }

    private void Rebuild(ForwardingLoop loop)
    {
        _version = loop.Ports.Version;
        var fds = new List<int> { _eventFd };
        _allPollable = true;
        var pollable = new List<IPollablePort>();
        foreach (AttachedPort p in loop.Ports.All)
        {
            if (p.Port is IPollablePort port)
            {
                fds.Add(port.FileDescriptor);
                pollable.Add(port);
            }
            else
            {
                _allPollable = false;
            }
        }
        _pollable = [.. pollable];
        if (fds.Count > _capacity)
        {
            NativeMemory.Free(_fds);
            _capacity = fds.Count * 2;
            _fds = (PollFd*)NativeMemory.AllocZeroed((nuint)(_capacity * sizeof(PollFd)));
        }
        for (int i = 0; i < fds.Count; i++) _fds[i] = new PollFd { Fd = fds[i], Events = LibC.POLLIN };
        _count = fds.Count;
    }

    public void Dispose()
    {
        NativeMemory.Free(_fds);
        _fds = null;
        LibC.Close(_eventFd);
    }
}
