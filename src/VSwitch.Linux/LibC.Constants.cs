namespace VSwitch.Linux;

// The numbers the calls take, as Linux defines them on x86_64 and aarch64 (the two agree on all of these).
internal static partial class LibC
{
    public const int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0x40, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public const int LOCK_EX = 2, LOCK_NB = 4;
    public const int SEEK_END = 2;
    public const int F_ADD_SEALS = 1033, F_GET_SEALS = 1034, F_SEAL_SHRINK = 2;
    public const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    public const int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 1;
    public const short POLLIN = 1;
    public const int CLONE_NEWNET = 0x40000000;

    public const int AF_UNIX = 1, AF_INET = 2, AF_PACKET = 17;
    public const int SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_SEQPACKET = 5, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33;
    public const int SCM_RIGHTS = 1;
    public const int MSG_CTRUNC = 0x8, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;

    public const int SOL_PACKET = 263;
    public const int PACKET_ADD_MEMBERSHIP = 1, PACKET_RX_RING = 5, PACKET_STATISTICS = 6, PACKET_COPY_THRESH = 7, PACKET_VERSION = 10,
        PACKET_TX_RING = 13, PACKET_LOSS = 14, PACKET_VNET_HDR = 15, PACKET_QDISC_BYPASS = 20, PACKET_IGNORE_OUTGOING = 23;
    public const int PACKET_MR_PROMISC = 1;
    public const int TPACKET_V2 = 1;
    public const ushort ETH_P_ALL = 0x0003;

    public const int ENOENT = 2, EINTR = 4, EIO = 5, ENXIO = 6, EBADF = 9, EAGAIN = 11, ENODEV = 19, EBADFD = 77,
        ENETDOWN = 100, ENOBUFS = 105, ECONNREFUSED = 111, EINPROGRESS = 115;
}
