using System.Runtime.InteropServices;
using SharpPcap;
using SharpPcap.LibPcap;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Ports;

namespace VSwitch.Daemon.Ports.Pcap;

/// <summary>
/// A port on a live interface through libpcap (SharpPcap), for systems or devices where the
/// native AF_PACKET port does not fit.
/// </summary>
/// <remarks>
/// <para>Non-blocking and in immediate mode, so a frame is handed over as soon as it arrives;
/// the capture direction is set to inbound only (libpcap's pcap_setdirection, which SharpPcap
/// does not expose), or the port would receive every frame the switch sends through it.</para>
/// <para>libpcap hides the kernel's offload facts: frames with a partial checksum or a TCP
/// super-frame cannot be told apart from finished ones. Turn the offloads off on the peer, as
/// Open vSwitch's userspace datapath requires too (<c>ethtool -K PEER tx off tso off gso off</c>).
/// Frames are read with pcap_next_ex straight from libpcap's ring (SharpPcap's GetNextPacket
/// polls the descriptor first, which delivered them in 500 ms batches); libpcap costs one system
/// call per send: this is the slow, portable port (about 0.18 Mpps measured with SharpPcap's
/// reader, before this change; not measured since).</para>
/// </remarks>
public sealed class PcapLivePort : IPort, IPollablePort
{
    private const int PcapDirectionIn = 1;
    private readonly FramePool _pool;
    private readonly LibPcapLiveDevice _device;
    private bool _up = true;

    public PcapLivePort(string name, FramePool pool)
    {
        Name = name;
        _pool = pool;
        _device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == name)
            ?? throw new PortOpenException($"pcap:{name}: libpcap knows no such device");
        _device.Open(new DeviceConfiguration
        {
            Mode = DeviceModes.Promiscuous,
            Immediate = true,
            ReadTimeout = 1,
            Snaplen = pool.FrameCapacity,
        });
        _device.NonBlockingMode = true;
        if (pcap_setdirection(_device.Handle, PcapDirectionIn) != 0)
            throw new PortOpenException($"pcap:{name}: cannot limit capture to inbound frames: {_device.LastError}");
        FileDescriptor = pcap_get_selectable_fd(_device.Handle);
    }

    public string Name { get; }

    public bool IsUp => _up;

    public int FileDescriptor { get; }

    public int Receive(Span<FrameDescriptor> burst)
    {
        if (!_up) return 0;
        int n = 0;
        while (n < burst.Length)
        {
            // pcap_next_ex itself, not SharpPcap's GetNextPacket: that one first polls the
            // descriptor, which on this kernel's packet ring reports frames late (they were
            // handed over in batches every 500 ms); libpcap in non-blocking mode answers from
            // the ring directly, 0 when it is empty.
            IntPtr header = IntPtr.Zero, data = IntPtr.Zero;
            int status;
            try
            {
                status = _device.GetNextPacketPointers(ref header, ref data);
            }
            catch (ObjectDisposedException)
            {
                status = -1;
            }
            if (status == 0) break;
            if (status < 0)
            {
                _up = false;
                break;
            }
            // struct pcap_pkthdr on 64-bit Linux: a 16-byte timeval, then caplen and len.
            int length = Marshal.ReadInt32(header, 16);
            if (length > _pool.FrameCapacity || !_pool.TryRent(out int slot)) continue;
            unsafe
            {
                new ReadOnlySpan<byte>((void*)data, length).CopyTo(_pool.Slot(slot)[FramePool.Headroom..]);
            }
            burst[n++] = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = length };
        }
        return n;
    }

    public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
    {
        int sent = 0;
        foreach (ref readonly FrameDescriptor d in burst)
        {
            if (_up)
            {
                try
                {
                    _device.SendPacket(_pool.Frame(d));
                    sent++;
                }
                catch (PcapException)
                {
                    // A failed send (device gone, buffer full) loses this frame; the loop counts it.
                }
            }
            _pool.Return(d.Slot);
        }
        return sent;
    }

    public void Dispose()
    {
        _up = false;
        _device.Close();
    }

    [DllImport("libpcap.so.0.8")]
    private static extern int pcap_setdirection(PcapHandle handle, int direction);

    [DllImport("libpcap.so.0.8")]
    private static extern int pcap_get_selectable_fd(PcapHandle handle);
}
