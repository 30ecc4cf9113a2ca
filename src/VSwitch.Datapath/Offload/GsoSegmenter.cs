using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;

namespace VSwitch.Datapath.Offload;

/// <summary>
/// Cuts a TCP segmentation-offload super-frame into MTU-sized segments in new slots, as a NIC's
/// TSO would, for ports that cannot take super-frames (capture files, libpcap devices).
/// </summary>
/// <remarks>Each segment gets a copy of the Ethernet, IP and TCP headers; the IP length (and, for
/// IPv4, an identification one higher per segment), the TCP sequence number, and FIN/PSH (last
/// segment only) and CWR (first only) are set as RFC 7414 TSO does, and both checksums are
/// computed in full. Runs only for frames the kernel handed over as GSO and whose egress port
/// cannot carry them; the common path never comes here.</remarks>
public static class GsoSegmenter
{
    private const byte Fin = 0x01, Psh = 0x08, Cwr = 0x80;

    /// <summary>Segments <paramref name="frame"/> into <paramref name="output"/>.</summary>
    /// <returns>How many segments were written, or -1 when the frame is not a TCP super-frame this
    /// code can cut or there are not enough slots (nothing is left rented then).</returns>
    public static int Segment(FramePool pool, in FrameDescriptor frame, Span<FrameDescriptor> output)
    {
        ReadOnlySpan<byte> f = pool.Frame(frame);
        int mss = pool.Offload(frame.Slot).GsoSize;
        if (mss == 0 || f.Length < EthernetFrame.HeaderLength + 40) return -1;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(f[12..]);
        bool v4 = etherType == EtherType.IPv4;
        int l4;
        if (v4)
        {
            l4 = EthernetFrame.HeaderLength + (f[14] & 0xF) * 4;
            if (f[23] != IpProtocol.Tcp) return -1;
        }
        else if (etherType == EtherType.IPv6 && f[20] == IpProtocol.Tcp)
        {
            l4 = EthernetFrame.HeaderLength + Ipv6Header.HeaderLength;
        }
        else
        {
            return -1;
        }
        if (l4 + 20 > f.Length) return -1;
        int headers = l4 + (f[l4 + 12] >> 4) * 4;
        int payload = f.Length - headers;
        if (headers > f.Length || payload <= 0) return -1;
        int count = (payload + mss - 1) / mss;
        if (count > output.Length || count > pool.Available) return -1;

        uint sequence = BinaryPrimitives.ReadUInt32BigEndian(f[(l4 + 4)..]);
        ushort id = v4 ? BinaryPrimitives.ReadUInt16BigEndian(f[18..]) : (ushort)0;
        byte tcpFlags = f[l4 + 13];
        for (int i = 0; i < count; i++)
        {
            pool.TryRent(out int slot);
            int chunk = Math.Min(mss, payload - i * mss);
            int length = headers + chunk;
            Span<byte> s = pool.Slot(slot).Slice(FramePool.Headroom, length);
            f[..headers].CopyTo(s);
            f.Slice(headers + i * mss, chunk).CopyTo(s[headers..]);

            Span<byte> tcp = s[l4..];
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence + (uint)(i * mss));
            byte flags = tcpFlags;
            if (i < count - 1) flags &= unchecked((byte)~(Fin | Psh));
            if (i > 0) flags &= unchecked((byte)~Cwr);
            tcp[13] = flags;
            tcp[16] = tcp[17] = 0;
            ulong pseudo;
            if (v4)
            {
                Span<byte> ip = s[EthernetFrame.HeaderLength..l4];
                BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(length - EthernetFrame.HeaderLength));
                BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(id + i));
                ip[10] = ip[11] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip));
                pseudo = Checksum.PseudoHeaderSumIPv4(BinaryPrimitives.ReadUInt32BigEndian(ip[12..]),
                    BinaryPrimitives.ReadUInt32BigEndian(ip[16..]), IpProtocol.Tcp, (ushort)(length - l4));
            }
            else
            {
                Span<byte> ip = s.Slice(EthernetFrame.HeaderLength, Ipv6Header.HeaderLength);
                BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(length - l4));
                pseudo = Checksum.PseudoHeaderSumIPv6(ip.Slice(8, 16), ip.Slice(24, 16), IpProtocol.Tcp, (uint)(length - l4));
            }
            BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum.Finish(Checksum.Add(pseudo, s[l4..])));
            FrameDescriptor d = frame;
            d.Slot = slot;
            d.Offset = FramePool.Headroom;
            d.Length = length;
            d.Flags &= ~(FrameFlags.Gso | FrameFlags.ChecksumPartial);
            output[i] = d;
        }
        return count;
    }
}
