using System.Buffers.Binary;

namespace VSwitch.Datapath.Tables;

/// <summary>The value stored for a name in the names map, read in place.</summary>
/// <remarks>Layout: flags (1), IPv4 count (1), IPv6 count (1), then the IPv4 addresses (4 bytes
/// each) and the IPv6 addresses (16 bytes each). A name with no addresses and the
/// <see cref="EmptyNonTerminal"/> flag exists only because names below it do, because it is a
/// zone apex, or because it is a reverse name with a PTR record in a local reverse zone (RFC 8020:
/// such names answer NODATA, not NXDOMAIN).</remarks>
public readonly ref struct NameRecord
{
    public const byte EmptyNonTerminal = 1;

    private readonly ReadOnlySpan<byte> _value;

    public NameRecord(ReadOnlySpan<byte> value) => _value = value;

    public byte Flags => _value[0];
    public int IPv4Count => _value[1];
    public int IPv6Count => _value[2];
    public uint IPv4(int i) => BinaryPrimitives.ReadUInt32BigEndian(_value[(3 + 4 * i)..]);
    public ReadOnlySpan<byte> IPv6(int i) => _value.Slice(3 + 4 * IPv4Count + 16 * i, 16);

    /// <summary>True when the record holds <paramref name="address"/> (4 or 16 bytes, network order).</summary>
    public bool Holds(ReadOnlySpan<byte> address)
    {
        if (address.Length == 4)
        {
            uint v4 = BinaryPrimitives.ReadUInt32BigEndian(address);
            for (int i = 0; i < IPv4Count; i++)
            {
                if (IPv4(i) == v4) return true;
            }
            return false;
        }
        for (int i = 0; i < IPv6Count; i++)
        {
            if (IPv6(i).SequenceEqual(address)) return true;
        }
        return false;
    }

    public static byte[] Encode(byte flags, IReadOnlyList<uint> v4, IReadOnlyList<byte[]> v6)
    {
        int n4 = Math.Min(v4.Count, 255), n6 = Math.Min(v6.Count, 255);
        var value = new byte[3 + 4 * n4 + 16 * n6];
        value[0] = flags;
        value[1] = (byte)n4;
        value[2] = (byte)n6;
        for (int i = 0; i < n4; i++) BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(3 + 4 * i), v4[i]);
        for (int i = 0; i < n6; i++) v6[i].CopyTo(value, 3 + 4 * n4 + 16 * i);
        return value;
    }
}
