using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;

namespace VSwitch.Datapath.Offload;

/// <summary>Finishes a checksum the sender left partial, for a port that cannot carry the offload.</summary>
public static class ChecksumOffload
{
    private const int UdpChecksumOffset = 6;

    /// <summary>Adds the bytes from CsumStart to the end to the pseudo-header sum already in the
    /// field, and stores the result. False when the offsets do not fit the frame (left as it is).</summary>
    public static bool Complete(Span<byte> frame, in FrameOffload offload)
    {
        int start = offload.CsumStart, field = start + offload.CsumOffset;
        if (start >= frame.Length || field + 2 > frame.Length) return false;
        ushort result = Checksum.Finish(Checksum.Add(0, frame[start..]));
        // UDP sends a computed zero as all ones: zero means "no checksum" there (RFC 768).
        if (result == 0 && offload.CsumOffset == UdpChecksumOffset) result = 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(frame[field..], result);
        return true;
    }
}
