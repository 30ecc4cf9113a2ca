using VSwitch.Daemon.Ports;
using VSwitch.Memif.Protocol;

namespace VSwitch.Tests.Memif;

public class MemifPortSpecTests
{
    [Fact]
    public void TryParse_SocketOnly_ServerId0DefaultRingsAndName()
    {
        Assert.True(PortSpec.TryParse("memif:/run/vswitch/memif.sock", out PortSpec? spec, out string error), error);
        Assert.Equal("memif0", spec!.Name);
        Assert.Equal(("/run/vswitch/memif.sock", 0u, MemifRole.Server, (string?)null, 10, 2048u),
            (spec.MemifOptions!.SocketPath, spec.MemifOptions.Id, spec.MemifOptions.Role, spec.MemifOptions.Secret, spec.MemifOptions.Log2RingSize, spec.MemifOptions.BufferSize));
    }

    [Fact]
    public void TryParse_EveryOption_Applied()
    {
        Assert.True(PortSpec.TryParse("memif:@vs,id=7,role=client,secret=s3,rsize=12,bsize=4096,vlan=20,name=c1", out PortSpec? spec, out string error), error);
        Assert.Equal("c1", spec!.Name);
        Assert.Equal(("@vs", 7u, MemifRole.Client, "s3", 12, 4096u),
            (spec.MemifOptions!.SocketPath, spec.MemifOptions.Id, spec.MemifOptions.Role, spec.MemifOptions.Secret, spec.MemifOptions.Log2RingSize, spec.MemifOptions.BufferSize));
        Assert.Equal(20, spec.Config.Vlans.AccessVlan);
    }

    [Theory]
    [InlineData("memif:/s,id=-1", "id")]
    [InlineData("memif:/s,role=master", "role")]
    [InlineData("memif:/s,rsize=15", "rsize")]
    [InlineData("memif:/s,rsize=0", "rsize")]
    [InlineData("memif:/s,bsize=64", "bsize")]
    [InlineData("memif:/s,secret=0123456789012345678901234", "secret")]
    [InlineData("memif:/s,colour=blue", "bad option")]
    [InlineData("memif:", "socket name")]
    [InlineData("memif:@", "socket name")]
    [InlineData("memif:/a,/b", "socket name")]
    [InlineData("memif:/s,keep", "keep")]
    [InlineData("tap:vs0,id=1", "bad option")]
    public void TryParse_BadOption_RefusedNamingIt(string text, string expected)
    {
        Assert.False(PortSpec.TryParse(text, out _, out string error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void TryParse_SocketPathTooLong_Refused()
    {
        Assert.False(PortSpec.TryParse("memif:/" + new string('x', 107), out _, out string error));
        Assert.Contains("107", error);
    }
}
