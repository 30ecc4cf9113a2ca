using VSwitch.Daemon.Tracing;

namespace VSwitch.Tests.Tracing;

public class HexFrameTests
{
    [Theory]
    [InlineData("ffffffffffff0200")]
    [InlineData("ff:ff:ff:ff:ff:ff:02:00")]
    [InlineData("ff ff ff ff ff ff 02 00")]
    [InlineData("\t0x0000:  ffff ffff ffff 0200")]
    [InlineData("0xffffffffffff0200")]
    public void Forms_AllGiveTheSameBytes(string text)
    {
        Assert.True(HexFrame.TryParse(text, out byte[] frame, out string error), error);
        Assert.Equal(Convert.FromHexString("ffffffffffff0200"), frame);
    }

    [Fact]
    public void TcpdumpXx_TwoLines()
    {
        const string Dump = """
                0x0000:  ffff ffff ffff 0200 0000 000a 0806 0001
                0x0010:  0800 0604 0001
            """;
        Assert.True(HexFrame.TryParse(Dump, out byte[] frame, out _));
        Assert.Equal(22, frame.Length);
        Assert.Equal(0x0806, frame[12] << 8 | frame[13]);
    }

    [Theory]
    [InlineData("fff", "odd")]
    [InlineData("zz", "not hex")]
    [InlineData("", "no bytes")]
    public void Bad_SaysWhy(string text, string why)
    {
        Assert.False(HexFrame.TryParse(text, out _, out string error));
        Assert.Contains(why, error, StringComparison.Ordinal);
    }
}
