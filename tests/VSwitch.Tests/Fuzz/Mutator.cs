using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;

namespace VSwitch.Tests.Fuzz;

/// <summary>Seeded, structure-blind mutations in the manner of libFuzzer's and AFL's havoc stage.</summary>
/// <remarks>
/// <para>Each call picks a seed and applies one to five mutations: flip a bit, set a byte or a
/// 16-bit field (either byte order) to a boundary value, add to a byte, insert or erase a run,
/// duplicate a run, cut the tail, splice in another seed's tail, or insert a dictionary token.
/// Boundary values are those parsers get wrong: 0, 1, 0x3F/0x40 (the longest DNS label and one
/// more), 0x7F/0x80, 0xC0 (a compression pointer), 0xFF and the 16-bit maxima.</para>
/// <para>Everything comes from one <see cref="Random"/> with a fixed seed, so a run is the same
/// on every machine and a failure names the execution that reproduces it.</para>
/// </remarks>
public sealed class Mutator(Random random, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens, int maxLength)
{
    private static readonly byte[] Bytes = [0, 1, 0x3F, 0x40, 0x7F, 0x80, 0xC0, 0xFE, 0xFF];
    private static readonly ushort[] Words = [0, 1, 0x00FF, 0x0100, 0x7FFF, 0x8000, 0xC00C, 0xFFFE, 0xFFFF, 512, 1500, 4096];

    public byte[] Next()
    {
        var data = new List<byte>(seeds[random.Next(seeds.Count)]);
        int rounds = 1 + random.Next(5);
        for (int r = 0; r < rounds; r++) Mutate(data);
        if (data.Count > maxLength) data.RemoveRange(maxLength, data.Count - maxLength);
        return [.. data];
    }

    private void Mutate(List<byte> d)
    {
        int at = d.Count == 0 ? 0 : random.Next(d.Count);
        switch (random.Next(11))
        {
            case 0 when d.Count > 0:
                d[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when d.Count > 0:
                d[at] = Bytes[random.Next(Bytes.Length)];
                break;
            case 2 when d.Count > 1:
                ushort w = Words[random.Next(Words.Length)];
                if (random.Next(2) == 0) w = BinaryPrimitives.ReverseEndianness(w);
                at = Math.Min(at, d.Count - 2);
                d[at] = (byte)(w >> 8);
                d[at + 1] = (byte)w;
                break;
            case 3 when d.Count > 0:
                d[at] = (byte)(d[at] + random.Next(-16, 17));
                break;
            case 4:
                var run = new byte[1 + random.Next(random.Next(2) == 0 ? 4 : 64)];
                if (random.Next(2) == 0) random.NextBytes(run);
                else Array.Fill(run, Bytes[random.Next(Bytes.Length)]);
                d.InsertRange(at, run);
                break;
            case 5 when d.Count > 0:
                d.RemoveRange(at, Math.Min(d.Count - at, 1 + random.Next(16)));
                break;
            case 6 when d.Count > 0:
                int length = Math.Min(d.Count - at, 1 + random.Next(32));
                d.InsertRange(random.Next(d.Count + 1), d.GetRange(at, length));
                break;
            case 7 when d.Count > 0:
                d.RemoveRange(at, d.Count - at);
                break;
            case 8:
                byte[] other = seeds[random.Next(seeds.Count)];
                if (other.Length == 0) break;
                int from = random.Next(other.Length);
                d.RemoveRange(at, d.Count - at);
                d.AddRange(other.AsSpan(from).ToArray());
                break;
            default:
                if (tokens.Count == 0) break;
                byte[] token = tokens[random.Next(tokens.Count)];
                if (random.Next(2) == 0 || at + token.Length > d.Count) d.InsertRange(at, token);
                else for (int i = 0; i < token.Length; i++) d[at + i] = token[i];
                break;
        }
    }
}
