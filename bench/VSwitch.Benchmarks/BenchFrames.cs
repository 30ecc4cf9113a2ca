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

    /// <summary>An ARP who-has from <paramref name="from"/> (at <paramref name="fromIp"/>) for <paramref name="target"/>.</summary>
    public static byte[] ArpRequest(ulong from, uint fromIp, uint target)
    {
        var f = new byte[42];
        WriteMac(f, 0xFFFF_FFFF_FFFF);
        WriteMac(f.AsSpan(6), from);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0806);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14), 1);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 0x0800);
        f[18] = 6;
        f[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(20), 1);
        WriteMac(f.AsSpan(22), from);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(28), fromIp);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(38), target);
        return f;
    }

    /// <summary>A DNS A query for <paramref name="name"/> over IPv4/UDP, checksums right.</summary>
    public static byte[] DnsQuery(ulong from, ulong to, string name, byte type = 1)
    {
        var dns = new List<byte> { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (string label in name.Split('.'))
        {
            dns.Add((byte)label.Length);
            dns.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }
        dns.AddRange(new byte[] { 0, 0, type, 0, 1 });
        return UdpFrame(from, to, 0xC612000A, 0xC6120035, 40000, 53, dns.ToArray());
    }

    /// <summary>A DHCPDISCOVER from <paramref name="client"/>, broadcast, asking for mask, router, DNS and domain.</summary>
    public static byte[] DhcpDiscover(ulong client)
    {
        var dhcp = new byte[300];
        dhcp[0] = 1;
        dhcp[1] = 1;
        dhcp[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(dhcp.AsSpan(4), 0x12345678);
        WriteMac(dhcp.AsSpan(28), client);
        BinaryPrimitives.WriteUInt32BigEndian(dhcp.AsSpan(236), 0x63825363);
        byte[] options = [53, 1, 1, 55, 4, 1, 3, 6, 15, 255];
        options.CopyTo(dhcp, 240);
        return UdpFrame(client, 0xFFFF_FFFF_FFFF, 0, 0xFFFFFFFF, 68, 67, dhcp);
    }

    /// <summary>An Ethernet/IPv4/UDP frame around <paramref name="payload"/>, both checksums right.</summary>
    private static byte[] UdpFrame(ulong fromMac, ulong toMac, uint fromIp, uint toIp, ushort fromPort, ushort toPort, byte[] payload)
    {
        int udpLength = 8 + payload.Length, ipLength = 20 + udpLength;
        var f = new byte[14 + ipLength];
        WriteMac(f, toMac);
        WriteMac(f.AsSpan(6), fromMac);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
        Span<byte> ip = f.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        ip[8] = 64;
        ip[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], fromIp);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], toIp);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Fold(Sum(ip)));
        Span<byte> udp = f.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(udp, fromPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], toPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        payload.CopyTo(udp[8..]);
        ulong pseudo = Sum(f.AsSpan(26, 8)) + 17 + (ulong)udpLength;
        ushort sum = Fold(pseudo + Sum(udp));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], sum == 0 ? (ushort)0xFFFF : sum);
        return f;
    }

    private static ulong Sum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if ((data.Length & 1) != 0) sum += (ulong)data[^1] << 8;
        return sum;
    }

    private static ushort Fold(ulong sum)
    {
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static void WriteMac(Span<byte> dst, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dst, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(dst[2..], (uint)mac);
    }
}
