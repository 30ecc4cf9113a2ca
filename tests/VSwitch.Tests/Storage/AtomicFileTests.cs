using VSwitch.Daemon.Storage;

namespace VSwitch.Tests.Storage;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsd-atomic").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriteAllText_ReplacesTheContentWhole_AndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "hosts");
        File.WriteAllText(path, new string('x', 100_000));
        AtomicFile.WriteAllText(path, "198.18.0.1 a\n");
        Assert.Equal("198.18.0.1 a\n", File.ReadAllText(path));
        Assert.Equal(["hosts"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteAllText_NewFile_IsCreated()
    {
        string path = Path.Combine(_dir, "ethers");
        AtomicFile.WriteAllText(path, "02:00:00:00:00:01 198.18.0.1\n");
        Assert.Equal("02:00:00:00:00:01 198.18.0.1\n", File.ReadAllText(path));
    }

    [Fact]
    public void Write_FailsHalfway_OriginalUntouchedAndTemporaryFileGone()
    {
        string path = Path.Combine(_dir, "hosts");
        File.WriteAllText(path, "original\n");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new"u8);
            throw new IOException("disk full");
        }));
        Assert.Equal("original\n", File.ReadAllText(path));
        Assert.Equal(["hosts"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteAllText_KeepsTheOriginalPermissions()
    {
        string path = Path.Combine(_dir, "hosts");
        File.WriteAllText(path, "a\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AtomicFile.WriteAllText(path, "b\n");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void WriteAllText_DirectoryMissing_ThrowsAndCreatesNothing()
    {
        string path = Path.Combine(_dir, "no-such-dir", "hosts");
        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(path, "x"));
        Assert.False(Directory.Exists(Path.Combine(_dir, "no-such-dir")));
    }

    // Found by the SIGKILL fault test (IntegrationTests/Hardening/FaultTests): a daemon killed in the
    // middle of an edit left .hosts.XXXXXXXXXXXX.tmp behind, and every later crash added another.
    [Fact]
    public void RemoveStaleTemporaries_LeftByAKilledWriter_RemovedAndNothingElse()
    {
        string hosts = Path.Combine(_dir, "hosts");
        File.WriteAllText(hosts, "198.18.0.1 a\n");
        string[] stale = [Path.Combine(_dir, ".hosts.2521c3749267.tmp"), Path.Combine(_dir, ".hosts.000000000000.tmp")];
        string[] kept = [Path.Combine(_dir, ".hosts.notours.tmp"), Path.Combine(_dir, ".ethers.2521c3749267.tmp"),
            Path.Combine(_dir, ".hosts.2521C3749267.tmp"), Path.Combine(_dir, "hosts.2521c3749267.tmp")];
        foreach (string f in stale.Concat(kept)) File.WriteAllText(f, "198.18.0.1 half");

        Assert.Equal(2, AtomicFile.RemoveStaleTemporaries(hosts));

        Assert.All(stale, f => Assert.False(File.Exists(f), f));
        Assert.All(kept, f => Assert.True(File.Exists(f), f));
        Assert.Equal("198.18.0.1 a\n", File.ReadAllText(hosts));
        Assert.Equal(0, AtomicFile.RemoveStaleTemporaries(hosts));
    }
}
