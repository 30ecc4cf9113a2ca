using System.Buffers.Binary;

namespace VSwitch.Tests.CrossCheck;

/// <summary>
/// Test-side walking of untagged Ethernet frames to their UDP or ICMPv6 payload, and checksums,
/// written from RFC 791, 768, 8200 and 1071 without the switch's readers.
/// </summary>
/// <remarks>Every method is bounded by the buffer and never throws, so it can look at mutated and
/// random frames.</remarks>
internal static class Wire
{
    /// <summary>Finds the UDP datagram of an IPv4 or IPv6 (optionally hop-by-hop) frame whose lengths agree.</summary>
    public static bool TryFindUdp(byte[] frame, out int l3, out int udp, out int udpLength)
    {
        udpLength = 0;
        if (!TryFindUpperLayer(frame, out l3, out udp, out int length, out byte protocol) || protocol != 17 || length < 8) return false;
        udpLength = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(udp + 4));
        return udpLength >= 8 && udpLength <= length;
    }

    /// <summary>Finds the ICMPv6 message of an IPv6 (optionally hop-by-hop) frame.</summary>
    public static bool TryFindIcmpv6(byte[] frame, out int l3, out int icmp) =>
        TryFindUpperLayer(frame, out l3, out icmp, out int length, out byte protocol) && protocol == 58 && length >= 24 &&
        BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == 0x86DD;

    /// <summary>Rewrites the IPv4 header, UDP and ICMPv6 checksums of a frame wherever its lengths allow.</summary>
    public static void FixChecksums(byte[] frame)
    {
        if (frame.Length < 14) return;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12));
        if (etherType == 0x0800 && frame.Length >= 34)
        {
            int ihl = (frame[14] & 0x0F) * 4;
            if (ihl < 20 || 14 + ihl > frame.Length) return;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), 0);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), Finish(Sum(frame.AsSpan(14, ihl))));
        }
        if (!TryFindUpperLayer(frame, out int l3, out int upper, out int length, out byte protocol)) return;
        bool v4 = etherType == 0x0800;
        ReadOnlySpan<byte> source = v4 ? frame.AsSpan(l3 + 12, 4) : frame.AsSpan(l3 + 8, 16);
        ReadOnlySpan<byte> destination = v4 ? frame.AsSpan(l3 + 16, 4) : frame.AsSpan(l3 + 24, 16);
        int checksumAt;
        if (protocol == 17 && length >= 8)
        {
            int udpLength = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(upper + 4));
            if (udpLength < 8 || udpLength > length) return;
            length = udpLength;
            checksumAt = upper + 6;
        }
        else if (protocol == 58 && !v4 && length >= 4)
        {
            checksumAt = upper + 2;
        }
        else
        {
            return;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(checksumAt), 0);
        long sum = Sum(source) + Sum(destination) + protocol + length + Sum(frame.AsSpan(upper, length));
        ushort checksum = Finish(sum);
        if (checksum == 0 && protocol == 17) checksum = 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(checksumAt), checksum);
    }

    /// <summary>Whether the frame's UDP checksum verifies (recomputed on a copy and compared).</summary>
    public static bool HasValidUdpChecksum(byte[] frame)
    {
        if (!TryFindUdp(frame, out _, out int udp, out _)) return false;
        byte[] copy = (byte[])frame.Clone();
        FixChecksums(copy);
        return copy.AsSpan(udp + 6, 2).SequenceEqual(frame.AsSpan(udp + 6, 2));
    }

    private static bool TryFindUpperLayer(byte[] frame, out int l3, out int upper, out int length, out byte protocol)
    {
        l3 = 14;
        upper = length = 0;
        protocol = 0;
        if (frame.Length < 14) return false;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12));
        if (etherType == 0x0800)
        {
            if (frame.Length < l3 + 20 || frame[l3] >> 4 != 4) return false;
            int ihl = (frame[l3] & 0x0F) * 4;
            int total = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(l3 + 2));
            if (ihl < 20 || total < ihl || l3 + total > frame.Length) return false;
            if ((BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(l3 + 6)) & 0x1FFF) != 0) return false;
            protocol = frame[l3 + 9];
            upper = l3 + ihl;
            length = total - ihl;
            return true;
        }
        if (etherType == 0x86DD)
        {
            if (frame.Length < l3 + 40 || frame[l3] >> 4 != 6) return false;
            int payload = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(l3 + 4));
            if (l3 + 40 + payload > frame.Length) return false;
            protocol = frame[l3 + 6];
            upper = l3 + 40;
            length = payload;
            if (protocol == 0)
            {
                if (length < 8) return false;
                int options = (frame[upper + 1] + 1) * 8;
                if (options > length) return false;
                protocol = frame[upper];
                upper += options;
                length -= options;
            }
            return true;
        }
        return false;
    }

    private static long Sum(ReadOnlySpan<byte> bytes)
    {
        long sum = 0;
        for (int i = 0; i < bytes.Length; i += 2)
            sum += (bytes[i] << 8) | (i + 1 < bytes.Length ? bytes[i + 1] : 0);
        return sum;
    }

    private static ushort Finish(long sum)
    {
        while (sum >> 16 != 0) sum = (sum >> 16) + (sum & 0xFFFF);
        return (ushort)~sum;
    }
}
