using VSwitch.Memif.Control;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;
using VSwitch.Memif.Shared;
using VSwitch.Linux;

namespace VSwitch.Memif.Session;

/// <summary>The client's half of the handshake: wait for HELLO, create the region and the eventfds,
/// then send INIT, ADD_REGION, ADD_RING (C2S), ADD_RING (S2C) and CONNECT, one per ACK, and wait for
/// CONNECTED.</summary>
/// <remarks>
/// <para>Layout of the one region (any layout is legal; this is DPDK's): the C2S ring, the S2C ring,
/// then 2 x 2^log2 buffers of <c>bufferSize</c> bytes, the C2S ring's first. The region is a memfd
/// sealed against shrinking, so a server that checks (as ours does) accepts it.</para>
/// <para>The server is not trusted either: after connecting, our queues use this layout for our
/// buffers and ignore the offsets in the shared descriptors.</para>
/// </remarks>
public sealed class ClientHandshake : IDisposable
{
    private readonly ControlChannel _channel;
    private readonly uint _id;
    private readonly string _name;
    private readonly string? _secret;
    private readonly uint _bufferSize;
    private int _log2;
    private int _step = -1;
    private string _serverName = "";
    private MemifRegion? _region;
    private int _c2sEventFd = -1, _s2cEventFd = -1;
    private ClientLayout _layout;

    public ClientHandshake(ControlChannel channel, uint id, string name, string? secret, int log2RingSize, uint bufferSize)
    {
        _channel = channel;
        _id = id;
        _name = name;
        _secret = secret;
        _log2 = log2RingSize;
        _bufferSize = bufferSize;
    }

    public string? Error { get; private set; }

    public MemifConnection? Connection { get; private set; }

    /// <summary>Takes one message from the server (a descriptor on it is closed: servers send none).</summary>
    public HandshakeStatus Handle(MemifMessage m, int fd)
    {
        if (fd >= 0) LibC.Close(fd);
        switch (m.Type)
        {
            case MemifMessageType.Hello when _step == -1:
            {
                string? error = MemifValidation.CheckHello(m);
                if (error is not null) return Fail(error);
                // The server's limits win: its largest ring, and index 0 must be allowed.
                _log2 = Math.Clamp(Math.Min(_log2, m.HelloMaxLog2RingSize), MemifConstants.MinLog2RingSize, MemifConstants.MaxLog2RingSize);
                _serverName = m.HelloName;
                error = CreateSharedMemory();
                if (error is not null) return Fail(error);
                _step = 0;
                return SendStep();
            }
            case MemifMessageType.Ack when _step is >= 0 and < 4:
                _step++;
                return SendStep();
            case MemifMessageType.Connected when _step == 4:
                return Connected(m.InterfaceName);
            case MemifMessageType.Disconnect:
                return Fail("server refused: " + m.DisconnectText, tellPeer: false);
            default:
                return Fail($"unexpected {m.Type} during the handshake");
        }
    }

    private unsafe string? CreateSharedMemory()
    {
        _layout = new ClientLayout(_log2, _bufferSize);
        try
        {
            _region = MemifRegion.Create("memif_region_0", _layout.RegionSize);
        }
        catch (IOException e)
        {
            return e.Message;
        }
        _c2sEventFd = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        _s2cEventFd = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (_c2sEventFd < 0 || _s2cEventFd < 0) return "eventfd: " + LibC.ErrorText(LibC.LastError);
        _layout.Initialize(_region.Address);
        return null;
    }

    private HandshakeStatus SendStep()
    {
        Span<byte> m = stackalloc byte[MemifConstants.MessageSize];
        int fd = -1;
        switch (_step)
        {
            case 0: MemifMessageWriter.Init(m, _id, _name, _secret); break;
            case 1: MemifMessageWriter.AddRegion(m, 0, _region!.Size); fd = _region.Fd; break;
            case 2: MemifMessageWriter.AddRing(m, c2s: true, 0, 0, ClientLayout.C2SRingOffset, (byte)_log2); fd = _c2sEventFd; break;
            case 3: MemifMessageWriter.AddRing(m, c2s: false, 0, 0, _layout.S2CRingOffset, (byte)_log2); fd = _s2cEventFd; break;
            default: MemifMessageWriter.Connect(m, _name); break;
        }
        return _channel.Send(m, fd) ? HandshakeStatus.InProgress : Fail("cannot send to the server", tellPeer: false);
    }

    private unsafe HandshakeStatus Connected(string serverInterface)
    {
        var regions = new RegionTable();
        regions.Add(_region!);
        var c2s = new MemifRing(_region!.Address + ClientLayout.C2SRingOffset, _log2);
        var s2c = new MemifRing(_region.Address + _layout.S2CRingOffset, _log2);
        var tx = new MemifQueue(c2s, regions, MemifRole.Client, c2s: true, _c2sEventFd, _layout.C2SBuffersOffset, _bufferSize);
        var rx = new MemifQueue(s2c, regions, MemifRole.Client, c2s: false, _s2cEventFd, _layout.S2CBuffersOffset, _bufferSize);
        tx.Reset(polling: true);
        rx.Reset(polling: true);
        string peer = _serverName.Length > 0 ? _serverName : serverInterface;
        Connection = new MemifConnection(MemifRole.Client, _channel, regions, rx, tx, peer, serverInterface, _log2, _bufferSize);
        _region = null;
        _c2sEventFd = _s2cEventFd = -1;
        return HandshakeStatus.Connected;
    }

    private HandshakeStatus Fail(string error, bool tellPeer = true)
    {
        Error = error;
        if (tellPeer) _channel.SendDisconnect(error);
        Dispose();
        return HandshakeStatus.Failed;
    }

    /// <summary>Releases what an unfinished handshake holds, the channel included.</summary>
    public void Dispose()
    {
        if (Connection is not null) return;
        _region?.Dispose();
        _region = null;
        if (_c2sEventFd >= 0) LibC.Close(_c2sEventFd);
        if (_s2cEventFd >= 0) LibC.Close(_s2cEventFd);
        _c2sEventFd = _s2cEventFd = -1;
        _channel.Dispose();
    }
}
