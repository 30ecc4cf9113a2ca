using VSwitch.Memif.Control;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;
using VSwitch.Memif.Shared;
using VSwitch.Linux;

namespace VSwitch.Memif.Session;

/// <summary>The server's half of the handshake once INIT was accepted: ADD_REGION and ADD_RING
/// (each acknowledged), then CONNECT, answered with CONNECTED.</summary>
/// <remarks>
/// Every field is checked before it is used (<see cref="MemifValidation"/>): a region is mapped
/// only once its memfd proved large enough and sealed against shrinking, and a ring is accepted
/// only when it lies inside a mapped region. Received descriptors are owned here until they pass
/// to the <see cref="MemifConnection"/>; on failure everything is closed.
/// </remarks>
public sealed class ServerHandshake : IDisposable
{
    private readonly ControlChannel _channel;
    private readonly string _ourName;
    private readonly string _peerName;
    private readonly int _maxLog2;
    private RegionTable? _regions = new();
    private RingOffer? _c2s, _s2c;

    private readonly record struct RingOffer(ushort Region, uint Offset, byte Log2, int EventFd);

    /// <param name="peerName">The name the client gave in INIT.</param>
    public ServerHandshake(ControlChannel channel, string ourName, string peerName, int maxLog2 = MemifConstants.MaxLog2RingSize)
    {
        _channel = channel;
        _ourName = ourName;
        _peerName = peerName;
        _maxLog2 = maxLog2;
    }

    public string? Error { get; private set; }

    /// <summary>The finished link, once <see cref="Handle"/> returned <see cref="HandshakeStatus.Connected"/>.</summary>
    public MemifConnection? Connection { get; private set; }

    /// <summary>Takes one message (and the descriptor it carried, which this now owns).</summary>
    public HandshakeStatus Handle(MemifMessage m, int fd)
    {
        if (_regions is null) return Fail("handshake already over", fd);
        switch (m.Type)
        {
            case MemifMessageType.AddRegion:
            {
                string? error = MemifValidation.CheckRegion(m, _regions.Count, fd);
                if (error is not null) return Fail(error, fd);
                MemifRegion? region = MemifRegion.TryMap(fd, m.RegionSize, out error);
                if (region is null) return Fail(error!, fd);
                _regions.Add(region);
                return Ack();
            }
            case MemifMessageType.AddRing:
            {
                string? error = MemifValidation.CheckRing(m, _regions, fd, _c2s is not null, _s2c is not null, _maxLog2);
                if (error is not null) return Fail(error, fd);
                var offer = new RingOffer(m.RingRegion, m.RingOffset, m.RingLog2Size, fd);
                if ((m.RingFlags & MemifConstants.AddRingFlagC2S) != 0) _c2s = offer;
                else _s2c = offer;
                ControlChannel.SetNonBlocking(fd);
                return Ack();
            }
            case MemifMessageType.Connect:
                if (fd >= 0) LibC.Close(fd);
                return Connect(m.InterfaceName);
            case MemifMessageType.Disconnect:
                if (fd >= 0) LibC.Close(fd);
                return Fail("peer disconnected: " + m.DisconnectText, -1, tellPeer: false);
            default:
                return Fail($"unexpected {m.Type} during the handshake", fd);
        }
    }

    private unsafe HandshakeStatus Connect(string peerInterface)
    {
        if (_c2s is not RingOffer c2s || _s2c is not RingOffer s2c) return Fail("CONNECT before both rings were added", -1);
        var c2sRing = new MemifRing(_regions!.Resolve(c2s.Region, c2s.Offset, MemifConstants.RingHeaderSize), c2s.Log2);
        var s2cRing = new MemifRing(_regions.Resolve(s2c.Region, s2c.Offset, MemifConstants.RingHeaderSize), s2c.Log2);
        string? error = MemifValidation.CheckCookie(c2sRing, "C2S") ?? MemifValidation.CheckCookie(s2cRing, "S2C");
        if (error is not null) return Fail(error, -1);
        var rx = new MemifQueue(c2sRing, _regions, MemifRole.Server, c2s: true, c2s.EventFd);
        var tx = new MemifQueue(s2cRing, _regions, MemifRole.Server, c2s: false, s2c.EventFd);
        rx.Reset(polling: true);
        tx.Reset(polling: true);
        Span<byte> reply = stackalloc byte[MemifConstants.MessageSize];
        MemifMessageWriter.Connected(reply, _ourName);
        if (!_channel.Send(reply)) return Fail("cannot send CONNECTED", -1, tellPeer: false);
        Connection = new MemifConnection(MemifRole.Server, _channel, _regions, rx, tx, _peerName, peerInterface, Math.Max((int)c2s.Log2, s2c.Log2), 0);
        _regions = null;
        _c2s = _s2c = null;
        return HandshakeStatus.Connected;
    }

    private HandshakeStatus Ack()
    {
        Span<byte> reply = stackalloc byte[MemifConstants.MessageSize];
        MemifMessageWriter.Ack(reply);
        return _channel.Send(reply) ? HandshakeStatus.InProgress : Fail("cannot send ACK", -1, tellPeer: false);
    }

    private HandshakeStatus Fail(string error, int fd, bool tellPeer = true)
    {
        if (fd >= 0) LibC.Close(fd);
        Error = error;
        if (tellPeer) _channel.SendDisconnect(error);
        Dispose();
        return HandshakeStatus.Failed;
    }

    /// <summary>Releases what a handshake that did not finish holds (the channel included).</summary>
    public void Dispose()
    {
        if (Connection is not null) return;
        _regions?.Dispose();
        _regions = null;
        if (_c2s is RingOffer a) LibC.Close(a.EventFd);
        if (_s2c is RingOffer b) LibC.Close(b.EventFd);
        _c2s = _s2c = null;
        _channel.Dispose();
    }
}
