using System.Globalization;
using VSwitch.Daemon.Claims;
using VSwitch.Daemon.Ports;

namespace VSwitch.Tests.Ports;

/// <summary>Claims on interfaces and memif sockets: one holder at a time, shared by a daemon's own ports, released with the last.</summary>
public sealed class PortClaimsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-claims").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static PortSpec Spec(string text) =>
        PortSpec.TryParse(text, out PortSpec? spec, out string error) ? spec! : throw new InvalidOperationException(error);

    [Fact]
    public void SecondHolder_OfAnInterface_RefusedNamingTheFirst_UntilReleased()
    {
        using var first = new PortClaims(_dir);
        using var second = new PortClaims(_dir);
        Assert.Null(first.TryClaim(Spec("afpacket:eth9")));
        string? refused = second.TryClaim(Spec("tap:eth9,name=other"));
        Assert.Equal($"tap:eth9,name=other: another vswitchd (pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}) holds interface eth9; stop it or remove the port there first", refused);
        Assert.Null(second.TryClaim(Spec("afpacket:eth8")));
        first.Release(Spec("afpacket:eth9"));
        Assert.Null(second.TryClaim(Spec("tap:eth9,name=other")));
    }

    [Fact]
    public void MemifServers_OnOneSocket_SharedByOneDaemon_NotByTwo_ClientsClaimNothing()
    {
        using var first = new PortClaims(_dir);
        using var second = new PortClaims(_dir);
        Assert.Null(first.TryClaim(Spec("memif:@vsd-claim,id=0")));
        Assert.Null(first.TryClaim(Spec("memif:@vsd-claim,id=1")));
        Assert.NotNull(second.TryClaim(Spec("memif:@vsd-claim,id=2")));
        Assert.Null(second.TryClaim(Spec("memif:@vsd-claim,id=3,role=client")));
        // Released only with the last of the daemon's ports on it.
        first.Release(Spec("memif:@vsd-claim,id=0"));
        Assert.NotNull(second.TryClaim(Spec("memif:@vsd-claim,id=2")));
        first.Release(Spec("memif:@vsd-claim,id=1"));
        Assert.Null(second.TryClaim(Spec("memif:@vsd-claim,id=2")));
    }

    [Fact]
    public void CaptureFiles_ClaimNothing()
    {
        using var first = new PortClaims(_dir);
        using var second = new PortClaims(_dir);
        Assert.Null(first.TryClaim(Spec("pcap-file:a.pcap")));
        Assert.Null(second.TryClaim(Spec("pcap-file:a.pcap")));
    }
}
