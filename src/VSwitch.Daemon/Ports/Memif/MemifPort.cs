using System.Diagnostics;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Ports;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;
using VSwitch.Memif.Server;
using VSwitch.Memif.Session;
using VSwitch.Linux;

namespace VSwitch.Daemon.Ports.Memif;

/// <summary>
/// A shared-memory port speaking memif 2.0: a container (or DPDK, VPP, libmemif, the
/// <c>MemifClient</c> library) exchanges frames with the switch through rings in a shared region,
/// with no system call per frame.
/// </summary>
/// <remarks>
/// <para><b>Data path.</b> Copy mode, one queue pair. <see cref="Receive"/> copies each frame from
/// the ring's buffer into a pool slot (at the usual headroom, so VLAN tagging works as for every
/// port) and returns the ring's slots with one counter store per burst; <see cref="Transmit"/>
/// copies into the ring and publishes once per burst. Frames longer than a buffer are chained.
/// Every descriptor the peer wrote is bounds-checked against the mapped regions before it is
/// touched (<see cref="MemifQueue"/>).</para>
/// <para><b>Control.</b> Accepting, the handshake and disconnects run on the forwarding loop's
/// own thread, non-blocking, from <see cref="Receive"/> at most once a millisecond and whenever the
/// idle wait sleeps or wakes. The alternative, a control thread that hands a
/// finished connection over with a volatile swap, needs a second hand-over to take a connection
/// away again (the loop may be reading the rings while the control thread wants to unmap them);
/// on the loop's thread a disconnect simply unmaps between two bursts. A handshake message costs
/// microseconds, and a peer gets at most a few messages per call, so a chatty peer cannot stall
/// the loop.</para>
/// <para><b>Interrupts.</b> The loop busy-polls while traffic flows: our receive ring carries
/// MASK_INT and the peer never writes the eventfd. Before the loop sleeps it clears MASK_INT
/// (<see cref="PrepareToSleep"/>) and re-checks the ring, so a frame that raced the flag is not
/// left waiting; the ring's eventfd is in the port's epoll set, which the idle wait polls. An idle
/// memif port therefore costs no CPU.</para>
/// <para><b>Link state.</b> The port stays attached (<see cref="IsUp"/>) whether or not a peer is
/// connected; frames sent to it without a peer are dropped and counted as transmit errors. A
/// DISCONNECT, the socket closing or a broken handshake frees the id for the next peer; as a
/// client the port reconnects every second.</para>
/// </remarks>
public sealed unsafe partial class MemifPort : IPort, IPollablePort, IMemifEndpoint
{
    private readonly FramePool _pool;
    private readonly MemifPortOptions _options;
    // Control work while busy: at most a thousand times a second (two system calls each), looked at every 256 polls.
    private static readonly long ServiceInterval = Stopwatch.Frequency / 1000;
    private MemifConnection? _connection;
    private int _tick;
    private long _nextService;

    public MemifPort(string name, MemifPortOptions options, FramePool pool)
    {
        Name = name;
        _options = options;
        _pool = pool;
        _epollFd = LibC.EpollCreate1(LibC.EPOLL_CLOEXEC);
        if (_epollFd < 0) throw new PortOpenException("epoll_create1: " + LibC.ErrorText(LibC.LastError));
        try
        {
            if (options.Role == MemifRole.Server)
            {
                _listener = MemifListener.Register(options.SocketPath, this);
                LibC.EpollCtl(_epollFd, LibC.EPOLL_CTL_ADD, _listener.PollFd);
            }
            else
            {
                ServiceClient();
            }
        }
        catch (IOException e)
        {
            LibC.Close(_epollFd);
            throw new PortOpenException($"memif:{options.SocketPath}: {e.Message}", e);
        }
    }

    public string Name { get; }

    public bool IsUp => !_disposed;

    /// <summary>The port's epoll set: the listener, the control connection and the receive ring's eventfd.</summary>
    public int FileDescriptor => _epollFd;

    public int Receive(Span<FrameDescriptor> burst)
    {
        if ((++_tick & 255) == 0 && Stopwatch.GetTimestamp() >= _nextService)
        {
            _nextService = Stopwatch.GetTimestamp() + ServiceInterval;
            ServiceControl();
        }
        MemifConnection? c = _connection;
        if (c is null) return 0;
        MemifQueue rx = c.Rx;
        if (rx.BeginReceive() == 0) return 0;
        int n = 0;
        while (n < burst.Length && _pool.TryRent(out int slot))
        {
            int length = rx.ReadFrame(_pool.SlotAddress(slot) + FramePool.Headroom, _pool.FrameCapacity);
            if (length < 0)
            {
                _pool.Return(slot);
                if (length == -1) break;
                continue;
            }
            burst[n++] = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = length };
        }
        rx.EndReceive();
        return n;
    }

    public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
    {
        int sent = 0;
        MemifConnection? c = _connection;
        if (c is not null)
        {
            MemifQueue tx = c.Tx;
            if (tx.BeginTransmit() > 0)
            {
                foreach (ref readonly FrameDescriptor d in burst)
                {
                    if (!tx.WriteFrame(_pool.SlotAddress(d.Slot) + d.Offset, d.Length)) break;
                    sent++;
                }
            }
            tx.EndTransmit(sent > 0);
        }
        _txRingFull += burst.Length - sent;
        foreach (ref readonly FrameDescriptor d in burst) _pool.Return(d.Slot);
        return sent;
    }

    public bool PrepareToSleep()
    {
        ServiceControl();
        if (_connection is not MemifConnection c) return true;
        c.Rx.SetPolling(false);
        // A frame published before the peer saw the flag cleared would not be signalled: look once more.
        return !c.Rx.HasPending;
    }

    public void Woke()
    {
        if (_connection is MemifConnection c)
        {
            c.Rx.SetPolling(true);
            LibC.Drain(c.Rx.EventFd);
        }
        ServiceControl();
    }
}
