using System.Buffers.Binary;
using System.Text;

namespace VSwitch.Tests.Fuzz;

/// <summary>The inputs every fuzz run starts from: the repository's own captures, table files and documented examples.</summary>
/// <remarks>
/// <para>Seeds are real, well-formed inputs, so that mutations land next to the paths the switch
/// takes for real traffic instead of dying at the first length check. Frames come from every
/// <c>captures/**/*.pcap</c> (inputs and expected outputs, which include the replies the switch
/// writes); text seeds from every table file under <c>captures/</c>, the samples vswitchd writes
/// and the fenced examples of <c>docs/configuration.md</c>.</para>
/// <para>The pcap reader is a dozen lines here rather than SharpPcap, so that the fuzz harness
/// stays free of native dependencies.</para>
/// </remarks>
public static class SeedCorpus
{
    /// <summary>The repository root: <c>VSWITCH_REPO</c> when set, else the first directory above
    /// the running assembly, then above the working directory, that holds VSwitch.sln.</summary>
    /// <remarks>The working directory counts because the harness is published outside the tree
    /// for AFL++ runs (bench/fuzz/run.sh), and run from the repository.</remarks>
    public static string RepositoryRoot
    {
        get
        {
            string? given = Environment.GetEnvironmentVariable("VSWITCH_REPO");
            if (!string.IsNullOrEmpty(given))
            {
                return File.Exists(Path.Combine(given, "VSwitch.sln")) ? Path.GetFullPath(given)
                    : throw new DirectoryNotFoundException("VSWITCH_REPO=" + given + " holds no VSwitch.sln");
            }
            foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "VSwitch.sln"))) return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException($"No VSwitch.sln above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; set VSWITCH_REPO");
        }
    }

    public static string Captures => Path.Combine(RepositoryRoot, "captures");

    /// <summary>Every frame of every capture, in a stable order (by path, then by position).</summary>
    public static List<byte[]> Frames()
    {
        var frames = new List<byte[]>();
        foreach (string pcap in Sorted(Directory.EnumerateFiles(Captures, "*.pcap", SearchOption.AllDirectories)))
            frames.AddRange(ReadPcap(File.ReadAllBytes(pcap)));
        return frames;
    }

    /// <summary>Every file named <paramref name="fileName"/> under captures/, plus vswitchd's sample of it.</summary>
    public static List<byte[]> TableFiles(string fileName)
    {
        var files = Sorted(Directory.EnumerateFiles(Captures, fileName, SearchOption.AllDirectories)).Select(File.ReadAllBytes).ToList();
        string sample = Path.Combine(RepositoryRoot, "src", "VSwitch.Daemon", "Storage", "Samples", fileName);
        if (File.Exists(sample)) files.Add(File.ReadAllBytes(sample));
        return files;
    }

    /// <summary>The config file examples of docs/configuration.md: every fenced block that assigns a key.</summary>
    public static List<byte[]> ConfigExamples()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "configuration.md"));
        var blocks = new List<byte[]>();
        string[] parts = doc.Split("```");
        // Odd parts are inside fences; a block opens with its language tag on the first line.
        for (int i = 1; i < parts.Length; i += 2)
        {
            string body = parts[i][(parts[i].IndexOf('\n', StringComparison.Ordinal) + 1)..];
            if (body.Split('\n').Any(l => !l.TrimStart().StartsWith('#') && l.Contains(" = ", StringComparison.Ordinal)))
                blocks.Add(Encoding.UTF8.GetBytes(body));
        }
        return blocks;
    }

    /// <summary>The frames of a classic pcap file (either byte order, micro- or nanosecond stamps).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a pcap file.</exception>
    public static List<byte[]> ReadPcap(ReadOnlySpan<byte> file)
    {
        if (file.Length < 24) throw new InvalidDataException("shorter than a pcap header");
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool little = magic is 0xA1B2C3D4 or 0xA1B23C4D;
        if (!little && BinaryPrimitives.ReadUInt32BigEndian(file) is not (0xA1B2C3D4 or 0xA1B23C4D))
            throw new InvalidDataException("not a pcap file");
        var frames = new List<byte[]>();
        int at = 24;
        while (at + 16 <= file.Length)
        {
            ReadOnlySpan<byte> lengthField = file.Slice(at + 8, 4);
            int captured = (int)(little ? BinaryPrimitives.ReadUInt32LittleEndian(lengthField) : BinaryPrimitives.ReadUInt32BigEndian(lengthField));
            at += 16;
            if (captured < 0 || captured > file.Length - at) throw new InvalidDataException($"record at {at - 16} runs past the file");
            frames.Add(file.Slice(at, captured).ToArray());
            at += captured;
        }
        return frames;
    }

    private static IEnumerable<string> Sorted(IEnumerable<string> paths) => paths.Order(StringComparer.Ordinal);
}
