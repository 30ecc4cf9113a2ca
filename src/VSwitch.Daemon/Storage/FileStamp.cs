namespace VSwitch.Daemon.Storage;

/// <summary>What tells that a file was changed or replaced since it was read: its size and modification time.</summary>
/// <remarks>Enough to notice a hand edit between a load and an edit without reading the file again
/// (a hosts file may be tens of megabytes): every editor, and every rename over it, sets the
/// modification time, which ext4 and tmpfs keep to the nanosecond.</remarks>
public readonly record struct FileStamp(bool Exists, long Length, DateTime Modified)
{
    /// <summary>The stamp of <paramref name="path"/> now (no file: Exists false; no path: the default stamp).</summary>
    public static FileStamp Of(string? path)
    {
        if (path is null) return default;
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(true, info.Length, info.LastWriteTimeUtc) : default;
    }
}
