namespace VSwitch.Memif.Protocol;

/// <summary>The numbers of memif 2.0 (the protocol both VPP's libmemif and DPDK's net_memif speak).</summary>
public static class MemifConstants
{
    /// <summary>Written by the client at ring offset 0 of every ring; the server checks it at CONNECT.</summary>
    public const uint Cookie = 0x3E31F20;

    public const ushort Version = 0x0200;

    /// <summary>Every control message is exactly one datagram of this size.</summary>
    public const int MessageSize = 128;

    public const int NameSize = 32, SecretSize = 24, DisconnectStringSize = 96;

    public const int MinLog2RingSize = 1, MaxLog2RingSize = 14;

    /// <summary>The ring header: cookie, flags and head in the first cache line, tail in the second.</summary>
    public const int RingHeaderSize = 128;

    public const int DescriptorSize = 16;

    /// <summary>Ring flag: the ring's receiver polls, so its producer must not write the eventfd.</summary>
    public const ushort RingFlagMaskInterrupt = 1;

    /// <summary>Descriptor flag: the frame continues in the next slot.</summary>
    public const ushort DescriptorFlagNext = 1;

    /// <summary>ADD_RING flag bit 0: the ring carries client-to-server frames.</summary>
    public const ushort AddRingFlagC2S = 1;

    /// <summary>Interface mode: Ethernet frames (the only mode DPDK and VSwitch take).</summary>
    public const byte ModeEthernet = 0;
}

/// <summary>Control message types (u16 at offset 0).</summary>
public enum MemifMessageType : ushort
{
    None = 0,
    Ack = 1,
    Hello = 2,
    Init = 3,
    AddRegion = 4,
    AddRing = 5,
    Connect = 6,
    Connected = 7,
    Disconnect = 8,
}

/// <summary>Which side of the link a peer plays.</summary>
public enum MemifRole : byte
{
    /// <summary>Listens on the control socket and maps what the client gives it (VPP's "master").</summary>
    Server,
    /// <summary>Connects, and creates the shared memory and every eventfd (VPP's "slave").</summary>
    Client,
}
