using System.Buffers.Binary;

namespace VSwitch.Datapath.Peephole.Dns;

/// <summary>Appends resource records to a DNS reply being written over its query, in place.</summary>
/// <remarks>The caller has already checked that everything fits (<see cref="DnsAnswerPlan.RecordsLength"/>),
/// so these methods only write. Owner names are compression pointers into the question, which the
/// reply keeps exactly as asked.</remarks>
public ref struct DnsReplyWriter
{
    private const ushort ClassIn = 1;
    private static ReadOnlySpan<byte> Hostmaster => "\u000ahostmaster"u8;

    private readonly Span<byte> _message;
    private int _position;

    /// <param name="message">The DNS message, header first.</param>
    /// <param name="position">Where the first record goes: the end of the question.</param>
    public DnsReplyWriter(Span<byte> message, int position)
    {
        _message = message;
        _position = position;
    }

    public readonly int Position => _position;

    /// <summary>Rewrites the header of the query into the reply's; <c>truncated</c> sets TC (the answer
    /// did not fit, and the reply holds the question alone).</summary>
    public readonly void WriteHeader(ushort queryFlags, bool recursionAvailable, int rcode, int answers, int authority, int additional, bool truncated = false)
    {
        // QR=1, opcode 0, AA=1, TC as told, RD and CD copied, RA as configured, Z=0, AD=0.
        int flags = 0x8400 | (truncated ? 0x0200 : 0) | (queryFlags & 0x0100) | (queryFlags & 0x0010) | (recursionAvailable ? 0x0080 : 0) | (rcode & 0xF);
        BinaryPrimitives.WriteUInt16BigEndian(_message[2..], (ushort)flags);
        BinaryPrimitives.WriteUInt16BigEndian(_message[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(_message[6..], (ushort)answers);
        BinaryPrimitives.WriteUInt16BigEndian(_message[8..], (ushort)authority);
        BinaryPrimitives.WriteUInt16BigEndian(_message[10..], (ushort)additional);
    }

    public void WriteA(int ownerOffset, uint ttl, uint address)
    {
        WriteRecordHead(ownerOffset, DnsQuery.TypeA, ttl, 4);
        BinaryPrimitives.WriteUInt32BigEndian(_message[_position..], address);
        _position += 4;
    }

    public void WriteAaaa(int ownerOffset, uint ttl, ReadOnlySpan<byte> address)
    {
        WriteRecordHead(ownerOffset, DnsQuery.TypeAaaa, ttl, 16);
        address.CopyTo(_message[_position..]);
        _position += 16;
    }

    public void WritePtr(int ownerOffset, uint ttl, ReadOnlySpan<byte> target)
    {
        WriteRecordHead(ownerOffset, DnsQuery.TypePtr, ttl, (ushort)target.Length);
        target.CopyTo(_message[_position..]);
        _position += target.Length;
    }

    /// <summary>An NS record naming <paramref name="target"/> (written whole, uncompressed).</summary>
    /// <returns>Where the target name starts in the message: the owner of its glue records.</returns>
    public int WriteNs(int ownerOffset, uint ttl, ReadOnlySpan<byte> target)
    {
        WriteRecordHead(ownerOffset, DnsQuery.TypeNs, ttl, (ushort)target.Length);
        int start = _position;
        target.CopyTo(_message[_position..]);
        _position += target.Length;
        return start;
    }

    /// <summary>The zone's SOA: MNAME is the apex itself, RNAME hostmaster.apex, MINIMUM the TTL.</summary>
    public void WriteSoa(int apexOffset, uint ttl, uint serial)
    {
        WriteRecordHead(apexOffset, DnsQuery.TypeSoa, ttl, SoaRdataLength);
        WritePointer(apexOffset);
        Hostmaster.CopyTo(_message[_position..]);
        _position += Hostmaster.Length;
        WritePointer(apexOffset);
        Span<byte> numbers = _message.Slice(_position, 20);
        BinaryPrimitives.WriteUInt32BigEndian(numbers, serial);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[4..], 3600);    // refresh
        BinaryPrimitives.WriteUInt32BigEndian(numbers[8..], 600);     // retry
        BinaryPrimitives.WriteUInt32BigEndian(numbers[12..], 86400);  // expire
        BinaryPrimitives.WriteUInt32BigEndian(numbers[16..], ttl);    // minimum: negative answers cache as long as positive ones
        _position += 20;
    }

    /// <summary>An EDNS0 OPT record (RFC 6891): our payload size, extended RCODE bits, version 0, DO as asked, no options.</summary>
    public void WriteOpt(ushort payloadSize, byte extendedRcode, bool dnssecOk)
    {
        Span<byte> opt = _message.Slice(_position, OptLength);
        opt[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(opt[1..], DnsQuery.TypeOpt);
        BinaryPrimitives.WriteUInt16BigEndian(opt[3..], payloadSize);
        opt[5] = extendedRcode;
        opt[6] = 0;
        opt[7] = dnssecOk ? (byte)0x80 : (byte)0;
        opt[8] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(opt[9..], 0);
        _position += OptLength;
    }

    public const int OptLength = 11;
    public const int RecordHeadLength = 12;      // pointer, type, class, TTL, RDLENGTH
    public const int SoaRdataLength = 2 + 11 + 2 + 20;
    public const int SoaLength = RecordHeadLength + SoaRdataLength;

    private void WriteRecordHead(int ownerOffset, ushort type, uint ttl, ushort rdLength)
    {
        WritePointer(ownerOffset);
        Span<byte> head = _message.Slice(_position, 8);
        BinaryPrimitives.WriteUInt16BigEndian(head, type);
        BinaryPrimitives.WriteUInt16BigEndian(head[2..], ClassIn);
        BinaryPrimitives.WriteUInt32BigEndian(head[4..], ttl);
        _position += 8;
        BinaryPrimitives.WriteUInt16BigEndian(_message[_position..], rdLength);
        _position += 2;
    }

    private void WritePointer(int offset)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_message[_position..], (ushort)(0xC000 | offset));
        _position += 2;
    }
}
