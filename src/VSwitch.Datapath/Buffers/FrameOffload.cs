using System.Runtime.InteropServices;

namespace VSwitch.Datapath.Buffers;

/// <summary>What the kernel left undone in a frame (the virtio-net header's facts), kept per slot.</summary>
/// <remarks>
/// Offsets count from the first byte of the frame as the pipeline holds it (untagged); pushing or
/// stripping a VLAN tag moves them. <see cref="CsumStart"/> and <see cref="CsumOffset"/> are
/// valid with <see cref="FrameFlags.ChecksumPartial"/>: the checksum field at
/// CsumStart + CsumOffset holds the pseudo-header sum, and the sum from CsumStart to the end is
/// still to be added. <see cref="GsoType"/>, <see cref="GsoSize"/> and <see cref="HeaderLength"/>
/// are valid with <see cref="FrameFlags.Gso"/>.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct FrameOffload
{
    public const byte GsoTcpV4 = 1, GsoUdp = 3, GsoTcpV6 = 4, GsoEcn = 0x80;

    public ushort CsumStart;
    public ushort CsumOffset;
    public ushort GsoSize;
    public ushort HeaderLength;
    public byte GsoType;
}
