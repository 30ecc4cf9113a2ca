namespace VSwitch.Datapath.Buffers;

/// <summary>The burst size: how many frames cross a port or stage boundary at once.</summary>
/// <remarks>32, as DPDK and Open vSwitch's userspace datapath use: large enough to spread a system
/// call or a cache miss over many frames, small enough to keep a burst's descriptors and headers in L1.</remarks>
public static class Burst
{
    public const int MaxSize = 32;
}
