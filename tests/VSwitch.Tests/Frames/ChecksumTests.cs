using System.Buffers.Binary;
using VSwitch.Datapath.Frames;
using static VSwitch.Tests.Frames.TestPackets;

namespace VSwitch.Tests.Frames;

public class ChecksumTests
{
    [Theory]
    // RFC 1071 section 3: the folded sum of these bytes is 0xDDF2.
    [InlineData("0001 f203 f4f5 f6f7", 0xDDF2)]
    // Wikipedia's IPv4 header example with the checksum field zeroed: ~0xB861.
    [InlineData("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7", 0x479E)]
    // An odd length: the last byte is the high byte of a zero-padded word.
    [InlineData("01", 0x0100)]
    [InlineData("0102 03", 0x0402)]
    [InlineData("", 0x0000)]
    [InlineData("ffff ffff ffff ffff ffff", 0xFFFF)]
    public void Fold_KnownVectors_ReturnsOnesComplementSum(string hex, int expected)
    {
        Assert.Equal((ushort)expected, Checksum.Fold(Checksum.Sum(Hex(hex))));
        Assert.Equal((ushort)~expected, Checksum.Compute(Hex(hex)));
    }

    [Theory]
    [InlineData(0UL, 0x0000)]
    [InlineData(0xFFFFUL, 0xFFFF)]
    [InlineData(0x1_0000UL, 0x0001)]
    [InlineData(0x1_FFFEUL, 0xFFFF)]
    [InlineData(0xFFFF_FFFFUL, 0xFFFF)]
    [InlineData(0x1_0000_0000UL, 0x0001)]
    [InlineData(ulong.MaxValue, 0xFFFF)]
    public void Fold_WideSums_EndsIn16BitsWithEndAroundCarry(ulong sum, int expected) =>
        Assert.Equal((ushort)expected, Checksum.Fold(sum));

    [Fact]
    public void Compute_RandomLengths_EqualsReferenceImplementation()
    {
        var random = new Random(1071);
        for (int length = 0; length < 300; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(ReferenceChecksum(data), Checksum.Compute(data));
        }
    }

    [Fact]
    public void Compute_AllOnesBuffer_DoesNotOverflow()
    {
        byte[] data = new byte[1 << 20];
        data.AsSpan().Fill(0xFF);
        Assert.Equal(ReferenceChecksum(data), Checksum.Compute(data));
    }

    [Fact]
    public void Add_SpansSplitAtEvenOffsets_EqualsSumOfWhole()
    {
        var random = new Random(42);
        for (int round = 0; round < 200; round++)
        {
            byte[] data = new byte[random.Next(0, 120)];
            random.NextBytes(data);
            int split = random.Next(0, data.Length / 2 + 1) * 2;
            ulong parts = Checksum.Add(Checksum.Sum(data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(Checksum.Fold(Checksum.Sum(data)), Checksum.Fold(parts));
        }
    }

    [Fact]
    public void PseudoHeaderSumIPv4_RandomFields_EqualsSumOfPseudoHeaderBytes()
    {
        var random = new Random(768);
        for (int round = 0; round < 200; round++)
        {
            uint source = (uint)random.NextInt64(0, 1L << 32), destination = (uint)random.NextInt64(0, 1L << 32);
            byte protocol = (byte)random.Next(256);
            ushort length = (ushort)random.Next(65536);
            byte[] bytes = PseudoHeaderIPv4(source, destination, protocol, length);
            Assert.Equal(ReferenceChecksum(bytes),
                Checksum.Finish(Checksum.PseudoHeaderSumIPv4(source, destination, protocol, length)));
        }
    }

    [Fact]
    public void PseudoHeaderSumIPv6_RandomFields_EqualsSumOfPseudoHeaderBytes()
    {
        var random = new Random(8200);
        for (int round = 0; round < 200; round++)
        {
            byte[] source = new byte[16], destination = new byte[16];
            random.NextBytes(source);
            random.NextBytes(destination);
            byte nextHeader = (byte)random.Next(256);
            uint length = (uint)random.NextInt64(0, 1L << 32);
            byte[] bytes = PseudoHeaderIPv6(source, destination, nextHeader, (int)length);
            Assert.Equal(ReferenceChecksum(bytes),
                Checksum.Finish(Checksum.PseudoHeaderSumIPv6(source, destination, nextHeader, length)));
        }
    }

    [Fact]
    public void UpdateField16_Rfc1624Example_ReturnsZeroLikeRecomputation()
    {
        // RFC 1624 section 4: the other header words sum to 0xCD7A and m goes from 0x5555 to
        // 0x3285. Recomputation gives 0x0000; eqn. 3 must too (RFC 1141's eqn. 2 gave 0xFFFF).
        Assert.Equal(0xDD2F, Checksum.Finish(0xCD7AUL + 0x5555));
        Assert.Equal(0x0000, Checksum.Finish(0xCD7AUL + 0x3285));
        Assert.Equal(0x0000, Checksum.UpdateField16(0xDD2F, 0x5555, 0x3285));
    }

    [Fact]
    public void UpdateField16_RandomWordChanges_EqualsFullRecompute()
    {
        var random = new Random(1624);
        byte[] header = Hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        for (int round = 0; round < 2000; round++)
        {
            random.NextBytes(header.AsSpan(12));
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), 0);
            ushort checksum = Checksum.Compute(header);

            int offset = random.Next(0, 5) * 2; // a word before the checksum field
            ushort old = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(offset));
            ushort changed = (ushort)random.Next(65536);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(offset), changed);

            Assert.Equal(Checksum.Compute(header), Checksum.UpdateField16(checksum, old, changed));
        }
    }

    [Fact]
    public void UpdateField32_RandomAddressChanges_EqualsFullRecompute()
    {
        var random = new Random(3022);
        byte[] header = Hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        for (int round = 0; round < 2000; round++)
        {
            random.NextBytes(header.AsSpan(4, 6));
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), 0);
            ushort checksum = Checksum.Compute(header);

            int offset = random.Next(2) == 0 ? 12 : 16;
            uint old = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(offset));
            uint changed = round % 10 == 0 ? ~old : (uint)random.NextInt64(0, 1L << 32);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(offset), changed);

            Assert.Equal(Checksum.Compute(header), Checksum.UpdateField32(checksum, old, changed));
        }
    }

    [Fact]
    public void UpdateField16_UnchangedValue_KeepsChecksum()
    {
        for (int checksum = 0; checksum < 0xFFFF; checksum += 7)
            Assert.Equal((ushort)checksum, Checksum.UpdateField16((ushort)checksum, 0x1234, 0x1234));
    }
}
