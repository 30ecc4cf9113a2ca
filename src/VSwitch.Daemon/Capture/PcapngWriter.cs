using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace VSwitch.Daemon.Capture;

/// <summary>Writes pcapng blocks (section header, interface description, enhanced packet, interface statistics).</summary>
/// <remarks>
/// <para>Hand-written because no package here writes pcapng (SharpPcap writes through libpcap's
/// dumper, which writes the older pcap format without per-packet direction). The blocks are the
/// four of the pcapng draft (IETF opsawg-pcapng) that tcpdump, tshark and Wireshark all read:
/// little-endian, timestamps in nanoseconds (<c>if_tsresol</c> = 9), direction in each packet's
/// <c>epb_flags</c> (bits 0-1: 01 inbound, 10 outbound).</para>
/// <para>Each block is self-delimiting (its length at both ends), which is what lets a reader of the
/// stream find the statistics block at its end without knowing the rest.</para>
/// </remarks>
public static class PcapngWriter
{
    public const uint SectionHeaderType = 0x0A0D0D0A, InterfaceDescriptionType = 1, InterfaceStatisticsType = 5, EnhancedPacketType = 6;
    public const ushort LinkTypeEthernet = 1;
    private const uint ByteOrderMagic = 0x1A2B3C4D;

    // Option codes.
    private const ushort EndOfOptions = 0, Comment = 1, ShbUserApplication = 4, IfName = 2, IfTsResolution = 9, EpbFlags = 2,
        IsbStartTime = 2, IsbEndTime = 3, IsbIfRecv = 4, IsbOsDrop = 7, IsbUserDelivered = 8;

    public static void SectionHeader(IBufferWriter<byte> into, string application)
    {
        var block = new Block(into, SectionHeaderType);
        block.UInt32(ByteOrderMagic);
        block.UInt16(1);
        block.UInt16(0);
        block.Int64(-1); // section length not known: it is a stream
        block.Option(ShbUserApplication, Encoding.UTF8.GetBytes(application));
        block.End(options: true);
    }

    public static void InterfaceDescription(IBufferWriter<byte> into, string name, int snapLength)
    {
        var block = new Block(into, InterfaceDescriptionType);
        block.UInt16(LinkTypeEthernet);
        block.UInt16(0);
        block.UInt32((uint)snapLength);
        block.Option(IfName, Encoding.UTF8.GetBytes(name));
        block.Option(IfTsResolution, [9]);
        block.End(options: true);
    }

    /// <param name="inbound">True for a frame the port received, false for one the switch sent on it.</param>
    public static void EnhancedPacket(IBufferWriter<byte> into, int interfaceId, long nanoseconds, ReadOnlySpan<byte> bytes, int originalLength, bool inbound)
    {
        var block = new Block(into, EnhancedPacketType);
        block.UInt32((uint)interfaceId);
        block.Timestamp(nanoseconds);
        block.UInt32((uint)bytes.Length);
        block.UInt32((uint)originalLength);
        block.Bytes(bytes);
        block.OptionUInt32(EpbFlags, inbound ? 1u : 2u);
        block.End(options: true);
    }

    /// <summary>The capture's totals: copies offered, lost (the reader was behind) and written.</summary>
    public static void InterfaceStatistics(IBufferWriter<byte> into, int interfaceId, long startNanoseconds, long endNanoseconds,
        long offered, long lost, long delivered, string comment)
    {
        var block = new Block(into, InterfaceStatisticsType);
        block.UInt32((uint)interfaceId);
        block.Timestamp(endNanoseconds);
        // The two timestamps are written as the block's timestamp is: high word first.
        block.OptionInt64(IsbStartTime, (long)((ulong)startNanoseconds << 32 | (ulong)startNanoseconds >> 32));
        block.OptionInt64(IsbEndTime, (long)((ulong)endNanoseconds << 32 | (ulong)endNanoseconds >> 32));
        block.OptionInt64(IsbIfRecv, offered);
        block.OptionInt64(IsbOsDrop, lost);
        block.OptionInt64(IsbUserDelivered, delivered);
        block.Option(Comment, Encoding.UTF8.GetBytes(comment));
        block.End(options: true);
    }

    /// <summary>Reads the counters back from an interface statistics block (vswitchctl's summary, tests).</summary>
    public static bool TryReadStatistics(ReadOnlySpan<byte> block, out long offered, out long lost, out long delivered, out string comment)
    {
        offered = lost = delivered = 0;
        comment = "";
        if (block.Length < 24 || BinaryPrimitives.ReadUInt32LittleEndian(block) != InterfaceStatisticsType) return false;
        int end = block.Length - 4;
        for (int at = 20; at + 4 <= end;)
        {
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(block[at..]);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(block[(at + 2)..]);
            if (code == EndOfOptions || at + 4 + length > end) break;
            ReadOnlySpan<byte> v = block.Slice(at + 4, length);
            switch (code)
            {
                case IsbIfRecv when length == 8: offered = BinaryPrimitives.ReadInt64LittleEndian(v); break;
                case IsbOsDrop when length == 8: lost = BinaryPrimitives.ReadInt64LittleEndian(v); break;
                case IsbUserDelivered when length == 8: delivered = BinaryPrimitives.ReadInt64LittleEndian(v); break;
                case Comment: comment = Encoding.UTF8.GetString(v); break;
            }
            at += 4 + ((length + 3) & ~3);
        }
        return true;
    }

    // A block is built in place: type, a length patched at the end, body, options, length again.
    private ref struct Block
    {
        private readonly IBufferWriter<byte> _into;
        private readonly Span<byte> _span;
        private int _at;

        public Block(IBufferWriter<byte> into, uint type)
        {
            _into = into;
            _span = into.GetSpan(65536 + 1024);
            BinaryPrimitives.WriteUInt32LittleEndian(_span, type);
            _at = 8;
        }

        public void UInt16(ushort v)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_span[_at..], v);
            _at += 2;
        }

        public void UInt32(uint v)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_span[_at..], v);
            _at += 4;
        }

        public void Int64(long v)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_span[_at..], v);
            _at += 8;
        }

        public void Timestamp(long nanoseconds)
        {
            UInt32((uint)((ulong)nanoseconds >> 32));
            UInt32((uint)nanoseconds);
        }

        public void Bytes(scoped ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_span[_at..]);
            _at += bytes.Length;
            Pad();
        }

        public void Option(ushort code, scoped ReadOnlySpan<byte> value)
        {
            UInt16(code);
            UInt16((ushort)value.Length);
            Bytes(value);
        }

        public void OptionUInt32(ushort code, uint value)
        {
            UInt16(code);
            UInt16(4);
            UInt32(value);
        }

        public void OptionInt64(ushort code, long value)
        {
            UInt16(code);
            UInt16(8);
            Int64(value);
        }

        public void End(bool options)
        {
            if (options)
            {
                UInt16(EndOfOptions);
                UInt16(0);
            }
            int total = _at + 4;
            BinaryPrimitives.WriteUInt32LittleEndian(_span[4..], (uint)total);
            BinaryPrimitives.WriteUInt32LittleEndian(_span[_at..], (uint)total);
            _into.Advance(total);
        }

        private void Pad()
        {
            while ((_at & 3) != 0) _span[_at++] = 0;
        }
    }
}
