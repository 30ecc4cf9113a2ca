using System.Buffers.Binary;
using VSwitch.Datapath.Counters;
using VSwitch.Datapath.Tables;

namespace VSwitch.Datapath.Peephole.Dns;

/// <summary>A DNS query message (RFC 1035 4.1) viewed in place: header, one question, optional EDNS0 OPT.</summary>
/// <remarks>
/// <see cref="TryRead"/> accepts only what the responder may answer: QR=0, one question with a
/// plain (uncompressed) name, no answer or authority records, and at most one additional record
/// which must be an OPT with the root name. Everything after the records must be absent. Any
/// other shape is a reason to forward, returned as the outcome to count.
/// </remarks>
public readonly ref struct DnsQuery
{
    public const int HeaderLength = 12;
    public const ushort TypeA = 1, TypeNs = 2, TypeSoa = 6, TypePtr = 12, TypeAaaa = 28, TypeOpt = 41, TypeAny = 255;
    public const ushort ClassIn = 1;

    private readonly ReadOnlySpan<byte> _message;

    private DnsQuery(ReadOnlySpan<byte> message, int nameLength, bool hasOpt)
    {
        _message = message;
        QuestionNameLength = nameLength;
        HasOpt = hasOpt;
    }

    public ushort Id => BinaryPrimitives.ReadUInt16BigEndian(_message);
    public ushort Flags => BinaryPrimitives.ReadUInt16BigEndian(_message[2..]);
    public bool RecursionDesired => (Flags & 0x0100) != 0;
    public bool CheckingDisabled => (Flags & 0x0010) != 0;

    /// <summary>The question name in wire format, exactly as asked (case included).</summary>
    public ReadOnlySpan<byte> QuestionName => _message.Slice(HeaderLength, QuestionNameLength);
    public int QuestionNameLength { get; }
    public ushort QuestionType => BinaryPrimitives.ReadUInt16BigEndian(_message[(HeaderLength + QuestionNameLength)..]);
    public ushort QuestionClass => BinaryPrimitives.ReadUInt16BigEndian(_message[(HeaderLength + QuestionNameLength + 2)..]);

    /// <summary>Where the question ends: the header and question are what a reply keeps.</summary>
    public int QuestionEnd => HeaderLength + QuestionNameLength + 4;

    public bool HasOpt { get; }
    private int OptStart => QuestionEnd;
    /// <summary>The requestor's UDP payload size from OPT (RFC 6891 6.2.3); meaningful when <see cref="HasOpt"/>.</summary>
    public ushort OptPayloadSize => BinaryPrimitives.ReadUInt16BigEndian(_message[(OptStart + 3)..]);
    public byte OptVersion => _message[OptStart + 6];
    public bool DnssecOk => (_message[OptStart + 7] & 0x80) != 0;

    public static DnsOutcome? TryRead(ReadOnlySpan<byte> message, out DnsQuery query)
    {
        query = default;
        if (message.Length < HeaderLength) return DnsOutcome.Malformed;
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((flags & 0x8000) != 0) return DnsOutcome.Malformed;          // a response sent as a query
        if (((flags >> 11) & 0xF) != 0) return DnsOutcome.Opcode;
        if ((flags & 0x0200) != 0) return DnsOutcome.Malformed;          // TC set on a query
        ushort qd = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        ushort an = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        ushort ns = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        ushort ar = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (qd != 1) return DnsOutcome.MultiQuestion;
        if (an != 0 || ns != 0 || ar > 1) return DnsOutcome.Malformed;
        if (!DnsName.TryMeasure(message, HeaderLength, out int nameLength)) return DnsOutcome.Malformed;
        int end = HeaderLength + nameLength + 4;
        if (end > message.Length) return DnsOutcome.Malformed;
        bool hasOpt = false;
        if (ar == 1)
        {
            // OPT: root name (1), type (2), class = payload size (2), TTL = ext-rcode, version, flags (4), rdlength (2).
            if (end + 11 > message.Length || message[end] != 0 ||
                BinaryPrimitives.ReadUInt16BigEndian(message[(end + 1)..]) != TypeOpt)
                return DnsOutcome.Malformed;
            int rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(end + 9)..]);
            if (!ValidOptions(message.Slice(end + 11, Math.Min(rdLength, message.Length - end - 11)), rdLength))
                return DnsOutcome.Malformed;
            end += 11 + rdLength;
            hasOpt = true;
        }
        if (end != message.Length) return DnsOutcome.Malformed;
        query = new DnsQuery(message, nameLength, hasOpt);
        if (query.QuestionClass != ClassIn) return DnsOutcome.NotIn;
        return null;
    }

    // The options inside OPT must tile its RDATA exactly: code (2), length (2), data.
    private static bool ValidOptions(ReadOnlySpan<byte> options, int rdLength)
    {
        if (options.Length != rdLength) return false;
        int i = 0;
        while (i < options.Length)
        {
            if (i + 4 > options.Length) return false;
            i += 4 + BinaryPrimitives.ReadUInt16BigEndian(options[(i + 2)..]);
        }
        return i == options.Length;
    }
}
