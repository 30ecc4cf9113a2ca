using System.Runtime.InteropServices;

namespace VSwitch.Datapath.Buffers;

/// <summary>A frame in flight: where its bytes are, where it came from, and what the pipeline decided.</summary>
/// <remarks>
/// Descriptors are small values passed in bursts; the frame bytes stay in their
/// <see cref="FramePool"/> slot. A frame occupies <c>[Offset, Offset + Length)</c> of its slot;
/// the bytes before <see cref="Offset"/> are headroom, so an 802.1Q tag can be pushed or
/// stripped by moving twelve bytes rather than the whole frame. Inside the pipeline a frame is
/// always held untagged, its VLAN in <see cref="Tci"/>, whatever the port delivered.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct FrameDescriptor
{
    /// <summary>The pool slot that holds the bytes.</summary>
    public int Slot;
    /// <summary>Frame length in bytes, from the destination MAC to the end of the payload.</summary>
    public int Length;
    /// <summary>Where the frame starts within its slot.</summary>
    public ushort Offset;
    /// <summary>The port the frame entered by (or <c>PortIds.Responder</c> for an injected reply).</summary>
    public ushort InPort;
    /// <summary>The egress port chosen by the L2 stage when <see cref="Next"/> is <see cref="Next.Forward"/>.</summary>
    public ushort OutPort;
    /// <summary>802.1Q tag control information (PCP, DEI, VID) the frame belongs to.</summary>
    public ushort Tci;
    /// <summary>What the pipeline decided to do with the frame.</summary>
    public Next Next;
    /// <summary>Why, when <see cref="Next"/> is <see cref="Next.Drop"/>.</summary>
    public DropReason DropReason;
    /// <summary>Facts a port reported about the frame.</summary>
    public FrameFlags Flags;
    private readonly byte _reserved;

    /// <summary>The VLAN id part of <see cref="Tci"/>.</summary>
    public readonly ushort VlanId => (ushort)(Tci & 0x0FFF);

    /// <summary>Marks the frame to be dropped for <paramref name="reason"/>.</summary>
    public void Drop(DropReason reason)
    {
        Next = Next.Drop;
        DropReason = reason;
    }
}

/// <summary>Facts about a frame that its port knows and its bytes do not say.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A [Flags] enum of frame facts: Flags is what it is.")]
[Flags]
public enum FrameFlags : byte
{
    None = 0,
    /// <summary>The sender left the L4 checksum to be completed (kernel checksum offload); the
    /// slot's <see cref="FrameOffload"/> says where (<c>CsumStart</c>, <c>CsumOffset</c>).</summary>
    ChecksumPartial = 1,
    /// <summary>A segmentation-offload super-frame (up to 64 KiB of TCP): the slot's
    /// <see cref="FrameOffload"/> gives the segment size; a port that cannot take it gets it segmented.</summary>
    Gso = 2,
}
