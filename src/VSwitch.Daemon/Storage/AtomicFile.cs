using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using VSwitch.Linux;

namespace VSwitch.Daemon.Storage;

// Replacing a file so that a crash at any moment leaves either the old content or the new, whole,
// never a mix or an empty file, and so that once Replace returns the new content survives a
// power cut. The classic sequence (as git, SQLite's journal and systemd do it):
//
//   1. write the new content to a temporary file in the same directory (same file system, so the
//      rename below is atomic), created exclusively under a random name;
//   2. fsync the temporary file, so its data is on disk before its name can be;
//   3. rename(2) it over the original: readers see the old file or the new one, nothing between;
//   4. fsync the directory, so the rename itself is on disk.
//
// The temporary file gets the original's permission bits, so an edit never widens or narrows who
// may read the table. If any step before the rename fails, the temporary file is removed and the
// original is untouched; the caller reports the failure and does not acknowledge the edit.

/// <summary>Atomic, durable replacement of a whole file.</summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="text"/> (UTF-8, no BOM), durably.</summary>
    /// <exception cref="IOException">The file could not be written; the original is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write in the directory.</exception>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            stream.Write(bytes);
        });

    /// <summary>Replaces <paramref name="path"/> with what <paramref name="writeContent"/> writes, durably.</summary>
    /// <remarks>If <paramref name="writeContent"/> throws, the temporary file is deleted, the original is
    /// untouched and the exception propagates.</remarks>
    public static void Write(string path, Action<Stream> writeContent) => Replace(WriteTemporary(path, writeContent), path);

    /// <summary>Steps 1 and 2 alone: writes what <paramref name="writeContent"/> writes to a new
    /// temporary file beside <paramref name="path"/> and fsyncs it; <see cref="Replace"/> puts it in place.</summary>
    /// <remarks>Split from <see cref="Write"/> so that a long write (a large table) can run while the
    /// table is still being edited, and only the rename waits for the edits.</remarks>
    /// <returns>The temporary file's path.</returns>
    public static string WriteTemporary(string path, Action<Stream> writeContent)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? "/";
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant()}.tmp");
        UnixFileMode? mode = File.Exists(full) && !OperatingSystem.IsWindows() ? File.GetUnixFileMode(full) : null;
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (mode is UnixFileMode m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
            using (var stream = new FileStream(temp, options))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            return temp;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Steps 3 and 4: renames <paramref name="temporary"/> over <paramref name="path"/> and fsyncs the directory.</summary>
    public static void Replace(string temporary, string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        SyncDirectory(Path.GetDirectoryName(full) ?? "/");
    }

    /// <summary>Removes a temporary file that will not be used.</summary>
    public static void Discard(string temporary) => TryDelete(temporary);

    /// <summary>Makes the directory entry of <paramref name="path"/> durable (after a create, rename or delete).</summary>
    public static void SyncDirectoryOf(string path) => SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/");

    private static void SyncDirectory(string directory)
    {
        // A plain read-only open of a directory is allowed and is all fsync needs (O_DIRECTORY
        // differs between x86-64 and arm64, so it is not used).
        int fd = LibC.Open(directory, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) throw new IOException($"{directory}: cannot open the directory to sync it: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            if (LibC.Fsync(fd) != 0)
                throw new IOException($"{directory}: fsync of the directory failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>Deletes the temporary files a crash in the middle of <see cref="Write"/> left beside
    /// <paramref name="path"/>, and returns how many there were.</summary>
    /// <remarks>A process killed between creating its temporary file and renaming it (SIGKILL, a
    /// power cut) leaves the file behind; the original is whole, so the leftover holds nothing
    /// anyone needs. Call this once at start, before any write, since the names cannot tell a
    /// dead writer's file from a live one's. Only names this class makes are touched:
    /// <c>.NAME.</c>, twelve lower-case hex digits, <c>.tmp</c>.</remarks>
    public static int RemoveStaleTemporaries(string path)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? "/";
        string prefix = "." + Path.GetFileName(full) + ".";
        int removed = 0;
        try
        {
            foreach (string candidate in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
            {
                string middle = Path.GetFileName(candidate)[prefix.Length..^".tmp".Length];
                if (middle.Length != 12 || !middle.All(char.IsAsciiHexDigitLower)) continue;
                TryDelete(candidate);
                if (!File.Exists(candidate)) removed++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A directory we cannot list has nothing we could have left there.
        }
        return removed;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // XXX: a temporary file we cannot delete is left behind; its dot name keeps it out of sight
            // and it never shadows the real file.
        }
    }
}
