using VSwitch.Memif.Control;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;
using VSwitch.Memif.Shared;
using VSwitch.Linux;

namespace VSwitch.Memif.Session;

/// <summary>An established memif link: the control channel, the mapped regions and one queue pair.</summary>
/// <remarks>Owns everything: disposing it closes the socket, the eventfds and unmaps the regions.
/// Must be disposed by the thread that uses its queues, since unmapping under a reader faults.</remarks>
public sealed class MemifConnection : IDisposable
{
    private readonly int[] _eventFds;

    internal MemifConnection(MemifRole role, ControlChannel channel, RegionTable regions, MemifQueue rx, MemifQueue tx,
        string peerName, string peerInterface, int log2RingSize, uint bufferSize)
    {
        Role = role;
        Channel = channel;
        Regions = regions;
        Rx = rx;
        Tx = tx;
        PeerName = peerName;
        PeerInterface = peerInterface;
        Log2RingSize = log2RingSize;
        BufferSize = bufferSize;
        _eventFds = [rx.EventFd, tx.EventFd];
    }

    public MemifRole Role { get; }
    public ControlChannel Channel { get; }
    public RegionTable Regions { get; }

    /// <summary>The ring we receive on (C2S for a server, S2C for a client).</summary>
    public MemifQueue Rx { get; }

    /// <summary>The ring we send on.</summary>
    public MemifQueue Tx { get; }

    /// <summary>The peer's application name (INIT's name, or HELLO's for a client).</summary>
    public string PeerName { get; }

    /// <summary>The peer's interface name (CONNECT's or CONNECTED's).</summary>
    public string PeerInterface { get; }

    public int Log2RingSize { get; }

    /// <summary>The client's buffer size (0 when we are the server: the client's layout is its own).</summary>
    public uint BufferSize { get; }

    /// <summary>Tells the peer why we leave (best effort) and releases everything.</summary>
    public void Disconnect(string reason)
    {
        Channel.SendDisconnect(reason);
        Dispose();
    }

    public void Dispose()
    {
        Channel.Dispose();
        Regions.Dispose();
        for (int i = 0; i < _eventFds.Length; i++)
        {
            if (_eventFds[i] >= 0) LibC.Close(_eventFds[i]);
            _eventFds[i] = -1;
        }
    }
}
