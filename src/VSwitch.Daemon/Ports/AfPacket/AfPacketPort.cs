using System.Buffers.Binary;
using VSwitch.Daemon.Ports.Linux;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Offload;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Switching;

namespace VSwitch.Daemon.Ports.AfPacket;

/// <summary>
/// A port on an existing interface (the host end of a veth pair, say) through an AF_PACKET socket
/// with a memory-mapped TPACKET_V2 receive ring and batched sends.
/// </summary>
/// <remarks>
/// <para>Receive reads frames straight out of the ring the kernel fills, with no system call per
/// frame: each frame is copied into a pool slot and its ring frame handed back. TPACKET_V2 rather
/// than V3: V3 hands over a block only when it fills or its retire timer fires, which at low load
/// adds the timer to every frame's latency; V2 has per-frame status.</para>
/// <para>PACKET_VNET_HDR puts a virtio-net header before each frame, so TCP super-frames and
/// partial checksums (veth's default offloads) are carried, not broken. A super-frame larger
/// than a ring frame arrives truncated with TP_STATUS_COPY and is read whole with recv().
/// The 802.1Q tag the kernel strips on receive is put back from the ring header.</para>
/// <para>Send: one sendmmsg per burst, the virtio-net header written into the slot's headroom so
/// each frame is one iovec. PACKET_QDISC_BYPASS skips the qdisc layer, and
/// PACKET_IGNORE_OUTGOING keeps the socket from receiving what it sends.</para>
/// <para>The interface's presence is checked once a second; when it is gone (its namespace
/// deleted) the port goes down, and the daemon may re-open it by name.</para>
/// </remarks>
public sealed unsafe class AfPacketPort : IPort, IPollablePort
{
    private const int FrameSize = 2048, FramesPerBlock = 32, BlockCount = 128;
    private const int RingFrames = FramesPerBlock * BlockCount;
    private const uint TP_STATUS_USER = 1, TP_STATUS_COPY = 2, TP_STATUS_VLAN_VALID = 0x10, TP_STATUS_VLAN_TPID_VALID = 0x40;
    private const int MaxBurst = 64;

    private readonly FramePool _pool;
    private readonly uint _ifIndex;
    private int _fd;
    private byte* _ring;
    private int _next;
    private bool _up = true;
    private long _nextHealthCheck;
    private readonly MMsgHdr* _messages;
    private readonly IoVec* _iovs;

    public AfPacketPort(string name, FramePool pool)
    {
        Name = name;
        _pool = pool;
        _ifIndex = NetDevice.IndexOf(name);
        if (_ifIndex == 0) throw new PortOpenException($"afpacket:{name}: no such interface");
        int error = NetDevice.BringUp(name);
        if (error != 0) throw Fail("cannot bring the interface up", error);
        _fd = LibC.Socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (_fd < 0) throw Fail("socket(AF_PACKET) failed", LibC.LastError);
        try
        {
            SetInt(LibC.SOL_PACKET, LibC.PACKET_VERSION, LibC.TPACKET_V2, "PACKET_VERSION");
            SetInt(LibC.SOL_PACKET, LibC.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            SetInt(LibC.SOL_PACKET, LibC.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            SetInt(LibC.SOL_PACKET, LibC.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            // Without a copy threshold, a frame larger than a ring frame is only truncated, never queued whole.
            SetInt(LibC.SOL_PACKET, LibC.PACKET_COPY_THRESH, 1, "PACKET_COPY_THRESH");
            SetInt(LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, 4 << 20, "SO_RCVBUFFORCE");
            SetInt(LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, 4 << 20, "SO_SNDBUFFORCE");
            // tpacket_req: block size, block count, frame size, frame count.
            uint* request = stackalloc uint[4] { FrameSize * FramesPerBlock, BlockCount, FrameSize, RingFrames };
            if (LibC.SetSockOpt(_fd, LibC.SOL_PACKET, LibC.PACKET_RX_RING, request, 16) < 0) throw Fail("PACKET_RX_RING failed", LibC.LastError);
            _ring = (byte*)LibC.Mmap(null, RingBytes, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, _fd, 0);
            if (_ring == (byte*)-1) throw Fail("mmap of the ring failed", LibC.LastError);
            byte* address = stackalloc byte[20];
            new Span<byte>(address, 20).Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(address, 2), LibC.AF_PACKET);
            BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(address + 2, 2), LibC.ETH_P_ALL);
            BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(address + 4, 4), (int)_ifIndex);
            if (LibC.Bind(_fd, address, 20) < 0) throw Fail("bind failed", LibC.LastError);
            // packet_mreq: ifindex, type, address length, address: promiscuous, so frames for other MACs arrive.
            byte* membership = stackalloc byte[16];
            new Span<byte>(membership, 16).Clear();
            BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(membership, 4), (int)_ifIndex);
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(membership + 4, 2), LibC.PACKET_MR_PROMISC);
            if (LibC.SetSockOpt(_fd, LibC.SOL_PACKET, LibC.PACKET_ADD_MEMBERSHIP, membership, 16) < 0) throw Fail("promiscuous mode failed", LibC.LastError);
        }
        catch
        {
            Dispose();
            throw;
        }
        _messages = (MMsgHdr*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)(MaxBurst * sizeof(MMsgHdr)));
        _iovs = (IoVec*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)(MaxBurst * sizeof(IoVec)));
        _nextHealthCheck = Environment.TickCount64 + 1000;
    }

    private static nuint RingBytes => (nuint)FrameSize * RingFrames;

    public string Name { get; }

    public bool IsUp => _up;

    public bool TakesOffloads => true;

    public int FileDescriptor => _fd;

    public int LastError { get; private set; }

    public int Receive(Span<FrameDescriptor> burst)
    {
        if (!_up) return 0;
        int n = 0;
        while (n < burst.Length)
        {
            byte* header = _ring + (nint)_next * FrameSize;
            uint status = Volatile.Read(ref *(uint*)header);
            if ((status & TP_STATUS_USER) == 0) break;
            if (!_pool.TryRent(out int slot)) break;
            bool ok = (status & TP_STATUS_COPY) != 0 ? ReadWhole(slot, ref burst[n]) : CopyFromRing(header, status, slot, ref burst[n]);
            if (ok) n++;
            else _pool.Return(slot);
            Volatile.Write(ref *(uint*)header, 0);
            _next = _next + 1 == RingFrames ? 0 : _next + 1;
        }
        if (n == 0 && Environment.TickCount64 >= _nextHealthCheck) CheckHealth();
        return n;
    }

    // tpacket2_hdr: status u32 @0, len u32 @4, snaplen u32 @8, mac u16 @12, net u16 @14, sec @16,
    // nsec @20, vlan_tci u16 @24, vlan_tpid u16 @26.
    private bool CopyFromRing(byte* header, uint status, int slot, ref FrameDescriptor d)
    {
        int length = (int)*(uint*)(header + 8);
        byte* data = header + *(ushort*)(header + 12);
        if (length < EthernetFrame.HeaderLength || length > _pool.FrameCapacity - 4) return false;
        d = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = length };
        if (!VirtioNetHeader.TryRead(new ReadOnlySpan<byte>(data - VirtioNetHeader.Length, VirtioNetHeader.Length), ref d.Flags, ref _pool.Offload(slot)))
            return false;
        Span<byte> dst = _pool.Slot(slot)[FramePool.Headroom..];
        var src = new ReadOnlySpan<byte>(data, length);
        if ((status & TP_STATUS_VLAN_VALID) == 0)
        {
            src.CopyTo(dst);
            return true;
        }
        // Put back the tag the kernel took off, between the addresses and the EtherType.
        ushort tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? *(ushort*)(header + 26) : EtherType.Vlan;
        src[..12].CopyTo(dst);
        BinaryPrimitives.WriteUInt16BigEndian(dst[12..], tpid);
        BinaryPrimitives.WriteUInt16BigEndian(dst[14..], *(ushort*)(header + 24));
        src[12..].CopyTo(dst[16..]);
        d.Length += VlanTagging.TagLength;
        VlanTagging.ShiftOffloadOffsets(_pool, d, VlanTagging.TagLength);
        return true;
    }

    // A frame too large for a ring frame (a TCP super-frame): the kernel queued it whole as well.
    private bool ReadWhole(int slot, ref FrameDescriptor d)
    {
        byte* buffer = _pool.SlotAddress(slot) + FramePool.Headroom - VirtioNetHeader.Length;
        nint read = LibC.Recv(_fd, buffer, (nuint)(_pool.FrameCapacity + VirtioNetHeader.Length), LibC.MSG_DONTWAIT);
        if (read < VirtioNetHeader.Length + EthernetFrame.HeaderLength) return false;
        d = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = (int)read - VirtioNetHeader.Length };
        return VirtioNetHeader.TryRead(new ReadOnlySpan<byte>(buffer, VirtioNetHeader.Length), ref d.Flags, ref _pool.Offload(slot));
    }

    public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
    {
        int sent = 0;
        for (int start = 0; start < burst.Length; start += MaxBurst)
        {
            ReadOnlySpan<FrameDescriptor> chunk = burst.Slice(start, Math.Min(MaxBurst, burst.Length - start));
            if (_up) sent += Send(chunk);
            foreach (ref readonly FrameDescriptor d in chunk) _pool.Return(d.Slot);
        }
        return sent;
    }

    private int Send(ReadOnlySpan<FrameDescriptor> frames)
    {
        for (int i = 0; i < frames.Length; i++)
        {
            ref readonly FrameDescriptor d = ref frames[i];
            byte* start = VnetFraming.Prepend(_pool, d);
            _iovs[i].Base = start;
            _iovs[i].Length = (nuint)(d.Length + VirtioNetHeader.Length);
            _messages[i] = new MMsgHdr { Iov = &_iovs[i], IovLength = 1 };
        }
        int total = 0;
        while (total < frames.Length)
        {
            int n = LibC.SendMmsg(_fd, _messages + total, (uint)(frames.Length - total), LibC.MSG_DONTWAIT);
            if (n > 0)
            {
                total += n;
                continue;
            }
            int errno = LibC.LastError;
            if (errno == LibC.EINTR) continue;
            if (errno is LibC.ENXIO or LibC.ENODEV or LibC.ENETDOWN) CheckHealth();
            // The frame that failed is dropped (a full queue, a frame the device refuses); the rest still go.
            total++;
            if (errno is not (LibC.EAGAIN or LibC.ENOBUFS) || !_up) break;
        }
        return Math.Min(total, frames.Length);
    }

    private void CheckHealth()
    {
        _nextHealthCheck = Environment.TickCount64 + 1000;
        if (NetDevice.IndexOf(Name) != _ifIndex)
        {
            _up = false;
            LastError = LibC.ENODEV;
        }
    }

    private void SetInt(int level, int option, int value, string what)
    {
        if (LibC.SetSockOpt(_fd, level, option, &value, sizeof(int)) < 0) throw Fail(what + " failed", LibC.LastError);
    }

    private PortOpenException Fail(string what, int errno) => new($"afpacket:{Name}: {what}: {LibC.ErrorText(errno)}");

    public void Dispose()
    {
        if (_ring is not null && _ring != (byte*)-1) LibC.Munmap(_ring, RingBytes);
        _ring = null;
        if (_fd >= 0) LibC.Close(_fd);
        _fd = -1;
        _up = false;
        System.Runtime.InteropServices.NativeMemory.Free(_messages);
        System.Runtime.InteropServices.NativeMemory.Free(_iovs);
    }
}
