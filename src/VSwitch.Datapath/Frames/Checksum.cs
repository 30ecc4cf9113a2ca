using System.Buffers.Binary;

namespace VSwitch.Datapath.Frames;

/// <summary>The Internet checksum (RFC 1071) over spans, pseudo-header sums, and the RFC 1624
/// incremental update.</summary>
/// <remarks>
/// <para>A checksum is built in three steps: add spans and pseudo-header fields into an unfolded
/// <see cref="ulong"/> sum with <see cref="Add"/> and the <c>PseudoHeaderSum*</c> methods (plain
/// <c>+</c> combines sums), fold it to 16 bits with <see cref="Fold"/>, and complement it with
/// <see cref="Finish"/>. A received header or datagram is valid when the folded sum over all of
/// it, checksum field included, is 0xFFFF.</para>
/// <para>Performance: <see cref="Add"/> reads eight bytes at a time as two 32-bit big-endian
/// halves into a 64-bit accumulator, and folds once at the end. This is correct because
/// 2^16 ≡ 1 modulo 0xFFFF, so 32-bit words fold to the same value as the 16-bit words they hold;
/// each step adds less than 2^33, so a span (at most 2^31 bytes) cannot overflow the accumulator.
/// The cost is that spans added one after another must each have an even length, except the last:
/// an odd final byte is taken as the high byte of a zero-padded word (RFC 1071 section 4.1).</para>
/// </remarks>
public static class Checksum
{
    /// <summary>Adds <paramref name="data"/> as big-endian 16-bit words to an unfolded sum.</summary>
    /// <param name="sum">The sum so far (0 to start).</param>
    /// <param name="data">The bytes; every span but the last one summed must have an even length.</param>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        int i = 0;
        // Eight bytes per step: the common case for IPv4 headers, UDP and ICMPv6 bodies.
        while (data.Length - i >= 8)
        {
            ulong word = BinaryPrimitives.ReadUInt64BigEndian(data[i..]);
            sum += (word >> 32) + (uint)word;
            i += 8;
        }
        if (data.Length - i >= 4)
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
            i += 4;
        }
        if (data.Length - i >= 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            i += 2;
        }
        if (i < data.Length)
            sum += (uint)data[i] << 8;
        return sum;
    }

    /// <summary>The unfolded sum of <paramref name="data"/> alone.</summary>
    public static ulong Sum(ReadOnlySpan<byte> data) => Add(0, data);

    /// <summary>Folds an unfolded sum to 16 bits with end-around carry (the one's complement sum).</summary>
    public static ushort Fold(ulong sum)
    {
        sum = (sum >> 32) + (sum & 0xFFFF_FFFF);
        sum = (sum >> 32) + (sum & 0xFFFF_FFFF);
        sum = (sum >> 16) + (sum & 0xFFFF);
        sum = (sum >> 16) + (sum & 0xFFFF);
        return (ushort)sum;
    }

    /// <summary>The checksum field value for an unfolded sum: the complement of <see cref="Fold"/>.</summary>
    public static ushort Finish(ulong sum) => (ushort)~Fold(sum);

    /// <summary>The checksum of <paramref name="data"/> alone, as it would be stored (e.g. an IPv4 header
    /// whose checksum field is zero).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));

    /// <summary>True when the folded sum over <paramref name="sum"/> (data including its checksum
    /// field) is 0xFFFF, the one's complement zero.</summary>
    public static bool IsValid(ulong sum) => Fold(sum) == 0xFFFF;

    /// <summary>The unfolded sum of the IPv4 pseudo-header (RFC 768, RFC 9293): source,
    /// destination, zero, protocol and upper-layer length.</summary>
    public static ulong PseudoHeaderSumIPv4(uint source, uint destination, byte protocol, ushort upperLayerLength) =>
        (ulong)source + destination + protocol + upperLayerLength;

    /// <summary>The unfolded sum of the IPv6 pseudo-header (RFC 8200 section 8.1): source,
    /// destination, 32-bit upper-layer length, three zero bytes and next header.</summary>
    /// <param name="source">The 16-byte source address.</param>
    /// <param name="destination">The 16-byte destination address.</param>
    /// <param name="nextHeader">The upper-layer protocol (not an extension header).</param>
    /// <param name="upperLayerLength">The upper-layer packet length, header included.</param>
    /// <remarks>Shorter addresses are a programming error and throw; only the first 16 bytes are read.</remarks>
    public static ulong PseudoHeaderSumIPv6(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination,
        byte nextHeader, uint upperLayerLength)
    {
        ulong sum = (ulong)upperLayerLength + nextHeader;
        sum = Add(sum, source[..16]);
        return Add(sum, destination[..16]);
    }

    /// <summary>The checksum after a 16-bit field changes from <paramref name="oldValue"/> to
    /// <paramref name="newValue"/>, without touching the rest of the data (RFC 1624 eqn. 3:
    /// HC' = ~(~HC + ~m + m')).</summary>
    /// <remarks>For a checksum that a full computation produced, the result equals a full
    /// recomputation. For UDP over IPv4 the caller skips the update when the stored checksum is 0
    /// ("none") and stores 0xFFFF when the result is 0.</remarks>
    public static ushort UpdateField16(ushort checksum, ushort oldValue, ushort newValue) =>
        (ushort)~Fold((ulong)(ushort)~checksum + (ushort)~oldValue + newValue);

    /// <summary>The checksum after a 32-bit field (an IPv4 address, say) changes, as
    /// <see cref="UpdateField16"/> applied to both halves at once.</summary>
    public static ushort UpdateField32(ushort checksum, uint oldValue, uint newValue) =>
        (ushort)~Fold((ulong)(ushort)~checksum
            + (ushort)~(oldValue >> 16) + (ushort)~oldValue
            + (newValue >> 16) + (newValue & 0xFFFF));
}
