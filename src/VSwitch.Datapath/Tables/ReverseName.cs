namespace VSwitch.Datapath.Tables;

/// <summary>Reads the address out of a reverse-lookup name (in-addr.arpa, RFC 1035 3.5; ip6.arpa, RFC 3596 2.5).</summary>
public static class ReverseName
{
    private static ReadOnlySpan<byte> InAddrArpa => "\u0007in-addr\u0004arpa\0"u8;
    private static ReadOnlySpan<byte> Ip6Arpa => "\u0003ip6\u0004arpa\0"u8;

    /// <summary>The address a lower-case wire name stands for, written to <paramref name="address"/>; its length (4 or 16), or 0.</summary>
    /// <remarks>Only full addresses count: a name for a network (fewer labels) is not an address.</remarks>
    public static int TryParse(ReadOnlySpan<byte> name, Span<byte> address)
    {
        if (name.EndsWith(InAddrArpa)) return TryParseV4(name[..^InAddrArpa.Length], address) ? 4 : 0;
        if (name.EndsWith(Ip6Arpa)) return TryParseV6(name[..^Ip6Arpa.Length], address) ? 16 : 0;
        return 0;
    }

    // d.c.b.a: four labels of 1-3 decimal digits, 0-255, no leading zeros, least significant first.
    private static bool TryParseV4(ReadOnlySpan<byte> labels, Span<byte> address)
    {
        int i = 0;
        for (int octet = 3; octet >= 0; octet--)
        {
            if (i >= labels.Length) return false;
            int len = labels[i];
            if (len is < 1 or > 3 || i + 1 + len > labels.Length) return false;
            ReadOnlySpan<byte> digits = labels.Slice(i + 1, len);
            if (len > 1 && digits[0] == '0') return false;
            int value = 0;
            foreach (byte d in digits)
            {
                if ((uint)(d - '0') > 9) return false;
                value = value * 10 + (d - '0');
            }
            if (value > 255) return false;
            address[octet] = (byte)value;
            i += 1 + len;
        }
        return i == labels.Length;
    }

    // 32 one-nibble labels, least significant first.
    private static bool TryParseV6(ReadOnlySpan<byte> labels, Span<byte> address)
    {
        if (labels.Length != 64) return false;
        for (int n = 0; n < 32; n++)
        {
            if (labels[2 * n] != 1) return false;
            int v = Hex(labels[2 * n + 1]);
            if (v < 0) return false;
            int nibble = 31 - n;
            if ((nibble & 1) == 0) address[nibble / 2] = (byte)(v << 4 | (address[nibble / 2] & 0x0F));
            else address[nibble / 2] = (byte)((address[nibble / 2] & 0xF0) | v);
        }
        return true;
    }

    /// <summary>The lower-case wire name under which <paramref name="address"/> (4 or 16 bytes) is looked up
    /// in reverse: <c>d.c.b.a.in-addr.arpa</c> or 32 nibbles then <c>ip6.arpa</c>. Cold path (tables).</summary>
    public static byte[] ToWire(ReadOnlySpan<byte> address)
    {
        var name = new List<byte>(address.Length == 4 ? 30 : 74);
        for (int i = address.Length - 1; i >= 0; i--)
        {
            if (address.Length == 4)
            {
                string octet = address[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
                name.Add((byte)octet.Length);
                foreach (char c in octet) name.Add((byte)c);
            }
            else
            {
                name.AddRange([1, (byte)"0123456789abcdef"[address[i] & 0xF], 1, (byte)"0123456789abcdef"[address[i] >> 4]]);
            }
        }
        name.AddRange(address.Length == 4 ? InAddrArpa : Ip6Arpa);
        return [.. name];
    }

    private static int Hex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };
}
