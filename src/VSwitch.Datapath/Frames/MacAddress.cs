using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>Helpers for 48-bit MAC addresses held in the low bits of a <see cref="ulong"/>.</summary>
/// <remarks>The datapath keys tables by MAC as a number (one register, one compare) rather than
/// as six bytes; these helpers convert between the wire bytes and that number.</remarks>
public static class MacAddress
{
    public const int Length = 6;
    public const ulong Broadcast = 0xFFFF_FFFF_FFFFUL;

    /// <summary>Reads six wire bytes as a big-endian 48-bit number (first byte most significant).</summary>
    public static ulong Read(ReadOnlySpan<byte> sixBytes) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(sixBytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(sixBytes[2..]);

    /// <summary>Writes the 48-bit number as six wire bytes.</summary>
    public static void Write(Span<byte> sixBytes, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(sixBytes, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(sixBytes[2..], (uint)mac);
    }

    /// <summary>True for group addresses (multicast and broadcast): the I/G bit of the first byte.</summary>
    public static bool IsMulticast(ulong mac) => (mac & 0x0100_0000_0000UL) != 0;

    /// <summary>Formats as <c>aa:bb:cc:dd:ee:ff</c>; for logs and the control plane, never per frame.</summary>
    public static string Format(ulong mac)
    {
        Span<byte> b = stackalloc byte[Length];
        Write(b, mac);
        return Convert.ToHexString(b).ToLowerInvariant() is var h
            ? string.Create(17, h, static (dst, hex) =>
            {
                for (int i = 0, j = 0; i < 6; i++)
                {
                    if (i > 0) dst[j++] = ':';
                    dst[j++] = hex[2 * i];
                    dst[j++] = hex[2 * i + 1];
                }
            })
            : string.Empty;
    }

    /// <summary>
    /// Parses the relaxed form that ethers(5) files use: six groups of one or two hex digits
    /// separated by ':' or '-', such as <c>8:0:20:1:2:3</c>; false for anything else.
    /// </summary>
    /// <remarks>The usual <c>aa:bb:cc:dd:ee:ff</c> is accepted too; separators may be mixed.</remarks>
    public static bool TryParseRelaxed(ReadOnlySpan<char> text, out ulong mac)
    {
        mac = 0;
        ulong value = 0;
        int pos = 0;
        for (int group = 0; group < Length; group++)
        {
            if (group > 0)
            {
                if (pos >= text.Length || text[pos] is not (':' or '-')) return false;
                pos++;
            }
            // Stop at a third digit: it already makes the group invalid, and stopping there
            // keeps a long run of digits from overflowing the octet.
            int octet = 0, digits = 0;
            while (pos < text.Length && digits < 3 && HexValue(text[pos]) is var v and >= 0)
            {
                octet = (octet << 4) | v;
                digits++;
                pos++;
            }
            if (digits is 0 or 3) return false;
            value = (value << 8) | (uint)octet;
        }
        if (pos != text.Length) return false;
        mac = value;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
