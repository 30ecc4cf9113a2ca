using VSwitch.Daemon.Ports.Persistence;

namespace VSwitch.Tests.Ports;

/// <summary>The port state file: what it writes it reads back; a bad line is refused with file, line and reason.</summary>
public sealed class PortStateFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-ports").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File1 => Path.Combine(_dir, "state", "ports");

    [Fact]
    public void Missing_IsEmpty()
    {
        var errors = new List<string>();
        PortState? state = PortStateFile.Read(File1, errors);
        Assert.NotNull(state);
        Assert.Empty(state.Added);
        Assert.Empty(state.Deleted);
        Assert.Empty(state.Taps);
        Assert.Empty(errors);
    }

    [Fact]
    public void Written_ReadsBackTheSame()
    {
        var state = new PortState(["tap:c1,vlan=10", "memif:/run/a b.sock,id=2"], ["afpacket:eth1"],
            [new TapRecord("vs0", PortStateFile.BootId, 4026532173, "eth0", "/run/netns/c 1"), new TapRecord("vs1", "x", 4026531833, "vs1", null)]);
        PortStateFile.Write(File1, state);
        var errors = new List<string>();
        PortState read = PortStateFile.Read(File1, errors)!;
        Assert.Empty(errors);
        Assert.Equal(state.Added, read.Added);
        Assert.Equal(state.Deleted, read.Deleted);
        Assert.Equal(state.Taps, read.Taps);
        Assert.StartsWith("# vswitchd's port state", File.ReadAllText(File1), StringComparison.Ordinal);
    }

    [Fact]
    public void BadLines_EachRefusedWithFileAndLine()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File1)!);
        File.WriteAllText(File1, "# comment\nadd tap:a\nadd\ntap vs0 boot notanumber eth0 -\nremove tap:b\n\x1b[31m\n");
        var errors = new List<string>();
        Assert.Null(PortStateFile.Read(File1, errors));
        Assert.Equal([$"{File1}:3", $"{File1}:4", $"{File1}:5", $"{File1}:6"], errors.Select(e => e[..e.IndexOf(": ", StringComparison.Ordinal)]));
        Assert.DoesNotContain(errors, e => e.Contains('\x1b', StringComparison.Ordinal));
    }

    [Fact]
    public void BootId_IsThisMachinesBoot() => Assert.Matches("^[0-9a-f-]{36}$", PortStateFile.BootId);
}
