using System.Text;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;
using VSwitch.Memif.Shared;

namespace VSwitch.Memif.Session;

/// <summary>The server's judgement of every field a client sends before frames move.</summary>
/// <remarks>Each check returns null when the field is acceptable and otherwise the reason, which
/// goes back to the peer in a DISCONNECT and into our log. A refused field ends that peer's
/// session only: the switch and its other ports never notice.</remarks>
public static class MemifValidation
{
    /// <summary>Largest region a peer may ask us to map: 1 GiB (ring 2^14 x 64 KiB buffers, and then some).</summary>
    public const ulong MaxRegionSize = 1UL << 30;

    /// <summary>INIT: version, mode and secret (the interface id is the listener's business).</summary>
    public static string? CheckInit(MemifMessage m, string? secret)
    {
        if (m.InitVersion != MemifConstants.Version) return $"unsupported version 0x{m.InitVersion:x4} (need 0x0200)";
        if (m.InitMode != MemifConstants.ModeEthernet) return $"unsupported mode {m.InitMode} (only ethernet, 0)";
        if (!string.IsNullOrEmpty(secret))
        {
            Span<byte> expected = stackalloc byte[MemifConstants.SecretSize];
            expected.Clear();
            int n = Math.Min(Encoding.UTF8.GetByteCount(secret), MemifConstants.SecretSize);
            Encoding.UTF8.GetBytes(secret.AsSpan(0, Math.Min(secret.Length, n)), expected);
            if (!m.InitSecret.SequenceEqual(expected)) return "incorrect secret";
        }
        return null;
    }

    /// <summary>ADD_REGION: the next index in order, a sane size, and a descriptor with it.</summary>
    public static string? CheckRegion(MemifMessage m, int regionCount, int fd)
    {
        if (fd < 0) return "region without a file descriptor";
        if (regionCount >= RegionTable.MaxRegions) return $"too many regions (at most {RegionTable.MaxRegions})";
        if (m.RegionIndex != regionCount) return $"region index {m.RegionIndex} out of order (expected {regionCount})";
        if (m.RegionSize == 0 || m.RegionSize > MaxRegionSize) return $"region size {m.RegionSize} not in 1..{MaxRegionSize}";
        return null;
    }

    /// <summary>ADD_RING: index within what we offered, a known direction not given twice, a ring
    /// that lies inside a region we mapped, a sane size and no private header.</summary>
    public static string? CheckRing(MemifMessage m, RegionTable regions, int fd, bool haveC2S, bool haveS2C, int maxLog2)
    {
        if (fd < 0) return "ring without an eventfd";
        if ((m.RingFlags & ~MemifConstants.AddRingFlagC2S) != 0) return $"unknown ring flags 0x{m.RingFlags:x4}";
        bool c2s = (m.RingFlags & MemifConstants.AddRingFlagC2S) != 0;
        if (m.RingIndex != 0) return $"ring index {m.RingIndex} out of range (one queue pair)";
        if (c2s ? haveC2S : haveS2C) return $"{(c2s ? "C2S" : "S2C")} ring {m.RingIndex} given twice";
        if (m.RingPrivateHeaderSize != 0) return $"private header size {m.RingPrivateHeaderSize} (must be 0)";
        if (m.RingLog2Size < MemifConstants.MinLog2RingSize || m.RingLog2Size > maxLog2)
            return $"log2 ring size {m.RingLog2Size} not in {MemifConstants.MinLog2RingSize}..{maxLog2}";
        if (m.RingRegion >= regions.Count) return $"ring region {m.RingRegion} not added";
        if (m.RingOffset % 8 != 0) return $"ring offset {m.RingOffset} not 8-byte aligned";
        if (!regions.Contains(m.RingRegion, m.RingOffset, (ulong)RingMath.RingBytes(m.RingLog2Size)))
            return $"ring at offset {m.RingOffset} with 2^{m.RingLog2Size} slots does not fit in region {m.RingRegion}";
        return null;
    }

    /// <summary>CONNECT: the cookie the client must have written at the start of the ring.</summary>
    public static string? CheckCookie(MemifRing ring, string which) =>
        ring.Cookie == MemifConstants.Cookie ? null : $"wrong cookie 0x{ring.Cookie:x8} on the {which} ring";

    /// <summary>HELLO (checked by a client): a version range that includes 2.0.</summary>
    public static string? CheckHello(MemifMessage m)
    {
        if (m.HelloMinVersion > MemifConstants.Version || m.HelloMaxVersion < MemifConstants.Version)
            return $"server speaks versions 0x{m.HelloMinVersion:x4}..0x{m.HelloMaxVersion:x4}, not 0x0200";
        return null;
    }
}
