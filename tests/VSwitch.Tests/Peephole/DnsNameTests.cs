using System.Text;
using VSwitch.Datapath.Peephole.Dns;
using static VSwitch.Tests.Frames.TestPackets;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Peephole;

public class DnsNameTests
{
    /// <summary>A wire name built here, label by label, without the code under test.</summary>
    private static byte[] Wire(params string[] labels)
    {
        var b = new List<byte>();
        foreach (string label in labels)
        {
            b.Add((byte)label.Length);
            b.AddRange(Encoding.ASCII.GetBytes(label));
        }
        b.Add(0);
        return [.. b];
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    [Theory]
    [InlineData("00", 1)]                                   // the root
    [InlineData("03 777777 00", 5)]                         // www
    [InlineData("03 776562 07 636c7573746572 05 6c6f63616c 00", 19)]  // web.cluster.local
    [InlineData("01 61 00 0001 0001", 3)]                   // a question's type and class follow, not measured
    public void TryMeasure_PlainName_ReturnsWireLength(string hex, int length)
    {
        Assert.True(DnsName.TryMeasure(Hex(hex), 0, out int measured));
        Assert.Equal(length, measured);
    }

    [Fact]
    public void TryMeasure_AtAnOffset_MeasuresFromThere()
    {
        byte[] message = Concat(new byte[12], Wire("web", "cluster", "local"), [0, 1, 0, 1]);
        Assert.True(DnsName.TryMeasure(message, 12, out int length));
        Assert.Equal(19, length);
    }

    [Fact]
    public void TryMeasure_Label63_Accepted()
    {
        Assert.True(DnsName.TryMeasure(Wire(new string('a', 63), "local"), 0, out int length));
        Assert.Equal(1 + 63 + 1 + 5 + 1, length);
    }

    [Fact]
    public void TryMeasure_Label64_Refused()
    {
        // 64 (0x40) is also the first of the reserved label types: refused either way.
        Assert.False(DnsName.TryMeasure(Wire(new string('a', 64), "local"), 0, out int length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void TryMeasure_Name255_Accepted()
    {
        byte[] name = Wire(new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61));
        Assert.Equal(255, name.Length);
        Assert.True(DnsName.TryMeasure(name, 0, out int length));
        Assert.Equal(255, length);
    }

    [Fact]
    public void TryMeasure_Name256_Refused()
    {
        byte[] name = Wire(new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 62));
        Assert.Equal(256, name.Length);
        Assert.False(DnsName.TryMeasure(name, 0, out _));
    }

    [Fact]
    public void TryMeasure_LongNameOfShortLabels_RefusedPast255()
    {
        // 128 one-letter labels are 256 bytes with the root: the bound holds for many short labels too.
        byte[] name = Wire(Enumerable.Repeat("x", 127).ToArray());
        Assert.Equal(255, name.Length);
        Assert.True(DnsName.TryMeasure(name, 0, out _));
        Assert.False(DnsName.TryMeasure(Wire(Enumerable.Repeat("x", 128).ToArray()), 0, out _));
    }

    [Theory]
    [InlineData("c0 0c")]                  // a compression pointer as the whole name
    [InlineData("03 777777 c0 0c")]        // a pointer after a label
    [InlineData("40 00")]                  // reserved label type 01 (extended label, RFC 6891)
    [InlineData("80 00")]                  // reserved label type 10
    [InlineData("ff 00")]
    public void TryMeasure_PointerOrReservedLabelType_Refused(string hex)
    {
        Assert.False(DnsName.TryMeasure(Hex(hex), 0, out _));
    }

    [Fact]
    public void TryMeasure_TruncatedAtEveryOffset_Refused()
    {
        byte[] name = Wire("web", "cluster", "local");
        for (int length = 0; length < name.Length; length++)
            Assert.False(DnsName.TryMeasure(name.AsSpan(0, length), 0, out _), $"accepted the first {length} bytes");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(100)]
    [InlineData(int.MaxValue)]
    public void TryMeasure_OffsetAtOrPastTheEnd_Refused(int past)
    {
        byte[] name = Wire("a");
        int offset = past == int.MaxValue ? int.MaxValue : name.Length - 1 + past;
        Assert.False(DnsName.TryMeasure(name, offset, out _));
    }

    [Fact]
    public void TryMeasure_LabelLengthRunsPastTheEnd_Refused()
    {
        // A label that claims 10 bytes with 3 left.
        Assert.False(DnsName.TryMeasure(Hex("0a 616263"), 0, out _));
    }

    [Fact]
    public void ToLower_EveryByteValue_FoldsOnlyAsciiCapitals()
    {
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var lower = new byte[256];
        DnsName.ToLower(all, lower);
        for (int i = 0; i < 256; i++)
        {
            byte expected = i is >= 'A' and <= 'Z' ? (byte)(i + 32) : (byte)i;
            Assert.True(expected == lower[i], $"byte 0x{i:x2} became 0x{lower[i]:x2}");
        }
    }

    [Fact]
    public void ToLower_InPlace_FoldsLettersAndKeepsLengths()
    {
        // Label lengths 3, 7 and 5 are below 'A' (65), so they never change; 'Z'+1 and '@' stay as they are.
        byte[] name = Wire("WeB", "ClUsTe[", "@LOCA");
        DnsName.ToLower(name, name);
        Assert.Equal(Wire("web", "cluste[", "@loca"), name);
    }

    [Theory]
    [InlineData("cluster.local", "cluster.local", true, 0)]
    [InlineData("web.cluster.local", "cluster.local", true, 4)]
    [InlineData("a.b.cluster.local", "cluster.local", true, 4)]
    [InlineData("xcluster.local", "cluster.local", false, 1)]
    [InlineData("x-cluster.local", "cluster.local", false, 2)]
    [InlineData("local", "cluster.local", false, -8)]
    [InlineData("cluster.local.example", "cluster.local", false, 8)]
    [InlineData("web.example", "cluster.local", false, -2)]
    [InlineData("web.cluster.local", "", true, 18)]         // everything is below the root
    public void IsAtOrBelow_Names_LabelAligned(string name, string zone, bool below, int offset)
    {
        byte[] n = Wire(name.Split('.', StringSplitOptions.RemoveEmptyEntries));
        byte[] z = Wire(zone.Split('.', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(below, DnsName.IsAtOrBelow(n, z, out int suffixOffset));
        Assert.Equal(offset, suffixOffset);
    }

    [Fact]
    public void IsAtOrBelow_ZoneBytesInsideALabel_NotBelow()
    {
        // One 10-byte label "a" 07 "cluster" ... then "local": the bytes of "\7cluster\5local\0" end the name,
        // but their length byte sits inside the first label.
        byte[] name = Concat([9, (byte)'a'], Encoding.ASCII.GetBytes("\u0007cluster"), Wire("local"));
        Assert.Equal(10, name[0] + 1);
        Assert.False(DnsName.IsAtOrBelow(name, Wire("cluster", "local"), out _));
    }

    [Theory]
    [InlineData("web.cluster.local", "cluster.local")]
    [InlineData("local", "")]
    [InlineData("", "")]
    public void Parent_Names_DropsTheFirstLabel(string name, string parent)
    {
        byte[] n = Wire(name.Split('.', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(Wire(parent.Split('.', StringSplitOptions.RemoveEmptyEntries)), DnsName.Parent(n).ToArray());
    }

    [Theory]
    [InlineData("web.cluster.local")]
    [InlineData("web.cluster.local.")]
    [InlineData("WeB.Example")]
    [InlineData("")]
    public void FromText_ThenToText_RoundTrips(string text)
    {
        byte[] wire = DnsName.FromText(text);
        string expected = text.TrimEnd('.');
        Assert.Equal(Wire(expected.Split('.', StringSplitOptions.RemoveEmptyEntries)), wire);
        Assert.Equal(expected.Length == 0 ? "." : expected, DnsName.ToText(wire));
    }

    [Fact]
    public void KeyFromText_MixedCase_LowerCaseWire()
    {
        Assert.Equal(Wire("web", "cluster", "local"), DnsName.KeyFromText("WEB.Cluster.LOCAL."));
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData(".a")]
    public void FromText_EmptyLabel_Throws(string text)
    {
        Assert.Throws<ArgumentException>(() => DnsName.FromText(text));
    }

    [Fact]
    public void FromText_OverLimits_Throws()
    {
        Assert.Throws<ArgumentException>(() => DnsName.FromText(new string('a', 64) + ".local"));
        string name256 = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 62));
        Assert.Throws<ArgumentException>(() => DnsName.FromText(name256));
        Assert.Equal(255, DnsName.FromText(name256[..^1]).Length);
    }
}
