using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace VSwitch.Tests.Scenarios;

/// <summary>DNS messages written byte by byte from RFC 1035, 3596, 2308 and 6891, for scenarios.</summary>
/// <remarks>This is the scenarios' own model of the wire format, written independently of the
/// switch's writer; replies are also decoded by a third-party parser in the cross-check tests.</remarks>
public static class TestDns
{
    public const ushort TypeA = 1, TypeNs = 2, TypeSoa = 6, TypePtr = 12, TypeMx = 15, TypeTxt = 16, TypeAaaa = 28, TypeAny = 255;

    public static byte[] Name(string name)
    {
        var b = new List<byte>();
        foreach (string label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            b.Add((byte)label.Length);
            b.AddRange(Encoding.ASCII.GetBytes(label));
        }
        b.Add(0);
        return [.. b];
    }

    /// <summary>A query: one question (or <paramref name="questions"/> copies), optional OPT.</summary>
    public static byte[] Query(ushort id, string name, ushort type, ushort cls = 1, bool rd = true, int questions = 1,
        ushort? ednsSize = null, byte ednsVersion = 0, bool dnssecOk = false, ushort flagsOverride = 0xFFFF)
    {
        var b = new List<byte>();
        ushort flags = flagsOverride != 0xFFFF ? flagsOverride : (ushort)(rd ? 0x0100 : 0);
        AddU16(b, id);
        AddU16(b, flags);
        AddU16(b, (ushort)questions);
        AddU16(b, 0);
        AddU16(b, 0);
        AddU16(b, (ushort)(ednsSize is null ? 0 : 1));
        for (int i = 0; i < questions; i++)
        {
            b.AddRange(Name(name));
            AddU16(b, type);
            AddU16(b, cls);
        }
        if (ednsSize is ushort size) b.AddRange(Opt(size, 0, dnssecOk, ednsVersion));
        return [.. b];
    }

    /// <summary>The reply a responder must send: the query's header and question kept, then the records.</summary>
    public static byte[] Reply(byte[] query, int rcode, bool recursionAvailable, IReadOnlyList<byte[]> answers,
        IReadOnlyList<byte[]> authority, byte[]? opt, bool truncated = false, IReadOnlyList<byte[]>? additional = null)
    {
        additional ??= [];
        int questionEnd = 12;
        while (query[questionEnd] != 0) questionEnd += 1 + query[questionEnd];
        questionEnd += 5;
        var b = new List<byte>(query.AsSpan(0, questionEnd).ToArray());
        ushort qflags = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(2));
        ushort flags = (ushort)(0x8000 | 0x0400 | (truncated ? 0x0200 : 0) | (qflags & 0x0100) | (qflags & 0x0010) | (recursionAvailable ? 0x80 : 0) | rcode);
        BinaryPrimitives.WriteUInt16BigEndian(CollectionsMarshalSpan(b, 2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(CollectionsMarshalSpan(b, 6), (ushort)answers.Count);
        BinaryPrimitives.WriteUInt16BigEndian(CollectionsMarshalSpan(b, 8), (ushort)authority.Count);
        BinaryPrimitives.WriteUInt16BigEndian(CollectionsMarshalSpan(b, 10), (ushort)(additional.Count + (opt is null ? 0 : 1)));
        foreach (byte[] r in answers) b.AddRange(r);
        foreach (byte[] r in authority) b.AddRange(r);
        foreach (byte[] r in additional) b.AddRange(r);
        if (opt is not null) b.AddRange(opt);
        return [.. b];
    }

    /// <summary>An A record whose owner is the question name (pointer to offset 12).</summary>
    public static byte[] ARecord(uint ttl, string address) => Record(0xC00C, TypeA, ttl, IPAddress.Parse(address).GetAddressBytes());

    public static byte[] AaaaRecord(uint ttl, string address) => Record(0xC00C, TypeAaaa, ttl, IPAddress.Parse(address).GetAddressBytes());

    public static byte[] PtrRecord(uint ttl, string target) => Record(0xC00C, TypePtr, ttl, Name(target));

    /// <summary>An NS record whose owner is the question name, naming <paramref name="target"/> uncompressed.</summary>
    public static byte[] NsRecord(uint ttl, string target) => Record(0xC00C, TypeNs, ttl, Name(target));

    /// <summary>An A or AAAA record whose owner is the name at <paramref name="ownerOffset"/> in the message (glue).</summary>
    public static byte[] AddressRecordAt(int ownerOffset, uint ttl, string address)
    {
        byte[] bytes = IPAddress.Parse(address).GetAddressBytes();
        return Record((ushort)(0xC000 | ownerOffset), bytes.Length == 4 ? TypeA : TypeAaaa, ttl, bytes);
    }

    /// <summary>The SOA of a zone whose apex starts at <paramref name="apexOffset"/> in the message: MNAME the apex, RNAME hostmaster.apex.</summary>
    public static byte[] SoaRecord(int apexOffset, uint ttl, uint serial, uint minimum)
    {
        ushort apex = (ushort)(0xC000 | apexOffset);
        var rdata = new List<byte>();
        AddU16(rdata, apex);
        rdata.Add(10);
        rdata.AddRange(Encoding.ASCII.GetBytes("hostmaster"));
        AddU16(rdata, apex);
        foreach (uint v in new[] { serial, 3600u, 600u, 86400u, minimum }) AddU32(rdata, v);
        return Record(apex, TypeSoa, ttl, [.. rdata]);
    }

    public static byte[] Opt(ushort size, byte extendedRcode, bool dnssecOk, byte version = 0)
    {
        var b = new List<byte> { 0 };
        AddU16(b, 41);
        AddU16(b, size);
        b.Add(extendedRcode);
        b.Add(version);
        b.Add(dnssecOk ? (byte)0x80 : (byte)0);
        b.Add(0);
        AddU16(b, 0);
        return [.. b];
    }

    /// <summary>Where <paramref name="suffix"/> starts inside the question name of a message, as a message offset.</summary>
    public static int OffsetOf(string questionName, string suffix) =>
        12 + Name(questionName).Length - Name(suffix).Length;

    private static byte[] Record(ushort ownerPointer, ushort type, uint ttl, byte[] rdata)
    {
        var b = new List<byte>();
        AddU16(b, ownerPointer);
        AddU16(b, type);
        AddU16(b, 1);
        AddU32(b, ttl);
        AddU16(b, (ushort)rdata.Length);
        b.AddRange(rdata);
        return [.. b];
    }

    private static Span<byte> CollectionsMarshalSpan(List<byte> list, int offset) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list)[offset..];

    private static void AddU16(List<byte> b, ushort v)
    {
        b.Add((byte)(v >> 8));
        b.Add((byte)v);
    }

    private static void AddU32(List<byte> b, uint v)
    {
        AddU16(b, (ushort)(v >> 16));
        AddU16(b, (ushort)v);
    }
}
