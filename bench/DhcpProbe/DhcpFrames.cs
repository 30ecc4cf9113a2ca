using System.Buffers.Binary;

namespace DhcpProbe;

/// <summary>What the probe needs from a server's reply.</summary>
internal readonly record struct DhcpReply(byte Type, uint TransactionId, ulong ClientMac, uint YourAddress, uint ServerId);

/// <summary>
/// The probe's client frames (DISCOVER, REQUEST in SELECTING state) built by hand, and the few
/// fields it needs read back from replies: nothing here comes from the switch's own DHCP code.
/// </summary>
/// <remarks>The requests look like udhcpc's: broadcast from 0.0.0.0 with the client's MAC as
/// Ethernet source, the BROADCAST flag clear (so servers reply by unicast to the offered address
/// and chaddr), a parameter request list, and a 576-byte maximum message size.</remarks>
internal static class DhcpFrames
{
    public const byte Discover = 1, Offer = 2, Request = 3, Ack = 5, Nak = 6;
    public const int FrameLength = 14 + 20 + 8 + 300;
    private const int Ip = 14, Udp = 34, Bootp = 42, Options = Bootp + 240;
    private const uint Cookie = 0x63825363;
    private static ReadOnlySpan<byte> Parameters => [1, 3, 6, 15, 28, 51, 54];

    public static ReadOnlySpan<byte> Write(Span<byte> frame, byte type, ulong mac, uint xid, uint requested = 0, uint server = 0)
    {
        Span<byte> f = frame[..FrameLength];
        f.Clear();
        f[..6].Fill(0xFF);
        WriteMac(f[6..], mac);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);

        Span<byte> m = f[Bootp..];
        m[0] = 1;   // BOOTREQUEST
        m[1] = 1;   // Ethernet
        m[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(m[4..], xid);
        WriteMac(m[28..], mac);
        BinaryPrimitives.WriteUInt32BigEndian(m[236..], Cookie);
        int i = Options;
        f[i++] = 53;
        f[i++] = 1;
        f[i++] = type;
        if (requested != 0) i = Option32(f, i, 50, requested);
        if (server != 0) i = Option32(f, i, 54, server);
        f[i++] = 57;
        f[i++] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(f[i..], 576);
        i += 2;
        f[i++] = 55;
        f[i++] = (byte)Parameters.Length;
        Parameters.CopyTo(f[i..]);
        i += Parameters.Length;
        f[i] = 255;

        Span<byte> ip = f[Ip..Udp];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], FrameLength - Ip);
        ip[8] = 64;
        ip[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], 0xFFFF_FFFF);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Fold(Sum(ip, 0)));

        Span<byte> udp = f[Udp..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 68);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 67);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], FrameLength - Udp);
        // Pseudo-header: 0.0.0.0, 255.255.255.255, protocol 17, UDP length.
        uint pseudo = 0xFFFF + 0xFFFF + 17 + (uint)(FrameLength - Udp);
        ushort checksum = Fold(Sum(udp, pseudo));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return f;
    }

    /// <summary>A BOOTREPLY to port 68 with a message type; false for anything else (including the probe's own requests).</summary>
    public static bool TryReadReply(ReadOnlySpan<byte> f, out DhcpReply reply)
    {
        reply = default;
        if (f.Length < Udp || BinaryPrimitives.ReadUInt16BigEndian(f[12..]) != 0x0800 || f[Ip + 9] != 17) return false;
        int udp = Ip + (f[Ip] & 0xF) * 4;
        int bootp = udp + 8;
        if (f.Length < bootp + 240 || BinaryPrimitives.ReadUInt16BigEndian(f[(udp + 2)..]) != 68) return false;
        ReadOnlySpan<byte> m = f[bootp..];
        if (m[0] != 2 || BinaryPrimitives.ReadUInt32BigEndian(m[236..]) != Cookie) return false;
        byte type = 0;
        uint server = 0;
        for (int i = 240; i < m.Length && m[i] != 255;)
        {
            if (m[i] == 0)
            {
                i++;
                continue;
            }
            if (i + 2 > m.Length || i + 2 + m[i + 1] > m.Length) return false;
            if (m[i] == 53 && m[i + 1] == 1) type = m[i + 2];
            if (m[i] == 54 && m[i + 1] == 4) server = BinaryPrimitives.ReadUInt32BigEndian(m[(i + 2)..]);
            i += 2 + m[i + 1];
        }
        if (type == 0) return false;
        reply = new DhcpReply(type, BinaryPrimitives.ReadUInt32BigEndian(m[4..]), ReadMac(m[28..]), BinaryPrimitives.ReadUInt32BigEndian(m[16..]), server);
        return true;
    }

    public static ulong ParseMac(string text)
    {
        string[] parts = text.Split(':');
        if (parts.Length != 6) throw new FormatException($"'{text}' is not a MAC address");
        ulong mac = 0;
        foreach (string p in parts) mac = (mac << 8) | Convert.ToByte(p, 16);
        return mac;
    }

    private static int Option32(Span<byte> f, int i, byte code, uint value)
    {
        f[i] = code;
        f[i + 1] = 4;
        BinaryPrimitives.WriteUInt32BigEndian(f[(i + 2)..], value);
        return i + 6;
    }

    private static void WriteMac(Span<byte> to, ulong mac)
    {
        for (int i = 0; i < 6; i++) to[i] = (byte)(mac >> (40 - 8 * i));
    }

    private static ulong ReadMac(ReadOnlySpan<byte> from)
    {
        ulong mac = 0;
        for (int i = 0; i < 6; i++) mac = (mac << 8) | from[i];
        return mac;
    }

    private static uint Sum(ReadOnlySpan<byte> bytes, uint sum)
    {
        int i = 0;
        for (; i + 1 < bytes.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
        if (i < bytes.Length) sum += (uint)(bytes[i] << 8);
        return sum;
    }

    private static ushort Fold(uint sum)
    {
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
