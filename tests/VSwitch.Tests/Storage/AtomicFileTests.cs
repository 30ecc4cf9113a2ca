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
}
