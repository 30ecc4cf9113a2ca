using System.Runtime.InteropServices;
using VSwitch.Linux;
using static VSwitch.Linux.LibC;

/// <summary>An AF_PACKET socket on one interface that sends and receives bursts (sendmmsg, recvmmsg):
/// the traffic generator for the kernel-port runs, TAP-to-TAP and AF_PACKET-to-AF_PACKET.</summary>
/// <remarks>It sends on the kernel side of the switch's first port and receives on the kernel side
/// of its second, as a container's stack would, with one system call per burst of 32 (the cheapest a
/// kernel port allows; the switch itself makes one read or write per frame on TAP).</remarks>
internal sealed unsafe class PacketSocket : IDisposable
{
    private const int Burst = 64;

    private readonly int _fd;
    private readonly MMsgHdr* _messages;
    private readonly IoVec* _iov;
    private readonly byte* _buffers;
    private const int BufferSize = 2048;

    public PacketSocket(string ifname)
    {
        uint index = IfNameToIndex(ifname);
        if (index == 0) throw new IOException($"no interface {ifname}");
        _fd = Socket(AF_PACKET, SOCK_RAW, (ushort)((0x0003 << 8) | (0x0003 >> 8)));  // htons(ETH_P_ALL)
        if (_fd < 0) throw new IOException("AF_PACKET socket: errno " + Marshal.GetLastPInvokeError());
        var address = stackalloc byte[20];
        new Span<byte>(address, 20).Clear();
        *(ushort*)address = AF_PACKET;
        *(ushort*)(address + 2) = 0x0300;  // htons(ETH_P_ALL)
        *(int*)(address + 4) = (int)index;
        if (Bind(_fd, address, 20) != 0) throw new IOException("bind: errno " + Marshal.GetLastPInvokeError());
        int one = 1;
        _ = SetSockOpt(_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, 4);
        _ = SetSockOpt(_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, 4);
        _messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(Burst * sizeof(MMsgHdr)));
        _iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(Burst * sizeof(IoVec)));
        _buffers = (byte*)NativeMemory.AllocZeroed((nuint)(Burst * BufferSize));
    }

    /// <summary>The errno of the last failed send (EAGAIN/ENOBUFS: the device queue is full).</summary>
    public int SendError { get; private set; }

    /// <summary>Sends <paramref name="count"/> copies of <paramref name="frame"/> in one sendmmsg.</summary>
    public int SendRepeated(byte[] frame, int count)
    {
        fixed (byte* p = frame)
        {
            for (int i = 0; i < count; i++)
            {
                _iov[i] = new IoVec { Base = p, Length = (nuint)frame.Length };
                _messages[i] = new MMsgHdr { Header = new MsgHdr { Iov = &_iov[i], IovLength = 1 } };
            }
            int n = SendMmsg(_fd, _messages, (uint)count, MSG_DONTWAIT);
            if (n < 0) SendError = Marshal.GetLastPInvokeError();
            return n < 0 ? 0 : n;
        }
    }

    /// <summary>Receives what is waiting, up to a burst, without blocking.</summary>
    public int Receive()
    {
        for (int i = 0; i < Burst; i++)
        {
            _iov[i] = new IoVec { Base = _buffers + i * BufferSize, Length = BufferSize };
            _messages[i] = new MMsgHdr { Header = new MsgHdr { Iov = &_iov[i], IovLength = 1 } };
        }
        int n = RecvMmsg(_fd, _messages, Burst, MSG_DONTWAIT, null);
        return n < 0 ? 0 : n;
    }

    public void Dispose()
    {
        _ = Close(_fd);
        NativeMemory.Free(_messages);
        NativeMemory.Free(_iov);
        NativeMemory.Free(_buffers);
    }
}
