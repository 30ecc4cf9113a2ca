using System.Buffers.Binary;

namespace VSwitch.Benchmarks;

/// <summary>Frames for benchmarks, written by hand so the benchmarks depend on the datapath alone.</summary>
public static class BenchFrames
{
    public const ulong MacA = 0x02_00_00_00_00_0a;
    public const ulong MacB = 0x02_00_00_00_00_0b;

    /// <summary>A 64-byte frame (60 bytes without FCS, as a port hands it over): IPv4/UDP from A to B.</summary>
    public static byte[] Udp64(ulong from, ulong to)
    {
        var f = new byte[60];
        WriteMac(f, to);
        WriteMac(f.AsSpan(6), from);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
        f[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 46);
        f[22] = 64;
        f[23] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(26), 0xC612000A);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(30), 0xC612000B);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(34), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(36), 9);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(38), 26);
        return f;
    }

    private static void WriteMac(Span<byte> dst, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dst, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(dst[2..], (uint)mac);
    }
}
