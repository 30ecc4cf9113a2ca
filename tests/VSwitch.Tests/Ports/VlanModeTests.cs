using VSwitch.Datapath.Ports;

namespace VSwitch.Tests.Ports;

public class VlanModeTests
{
    [Theory]
    [InlineData("access:10", false, "10")]
    [InlineData("trunk:10,20", true, "10,20")]
    [InlineData("trunk:5-7,100", true, "5,6,7,100")]
    public void TryParse_Valid_CarriesExactlyThoseVlans(string text, bool trunk, string vlans)
    {
        Assert.True(VlanMode.TryParse(text, out VlanMode? mode, out string error), error);
        Assert.Equal(trunk, mode!.IsTrunk);
        Assert.Equal(vlans, string.Join(',', mode.Vlans()));
        Assert.False(mode.Carries(4));
    }

    [Theory]
    [InlineData("access:0")]
    [InlineData("access:4095")]
    [InlineData("access:x")]
    [InlineData("trunk:")]
    [InlineData("trunk:9-3")]
    [InlineData("trunk:1,5000")]
    [InlineData("hybrid:1")]
    public void TryParse_Invalid_SaysWhy(string text)
    {
        Assert.False(VlanMode.TryParse(text, out VlanMode? mode, out string error));
        Assert.Null(mode);
        Assert.NotEmpty(error);
    }
}
