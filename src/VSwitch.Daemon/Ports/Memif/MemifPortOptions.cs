using System.Globalization;
using System.Text;
using VSwitch.Memif.Protocol;

namespace VSwitch.Daemon.Ports.Memif;

/// <summary>The memif part of a port spec: <c>memif:SOCKETPATH[,id=N][,role=server|client][,secret=S][,rsize=LOG2][,bsize=B]</c>.</summary>
/// <remarks>Defaults: id 0, role server (a switch offers ports to containers), no secret, 2^10 slots per
/// ring, 2048-byte buffers. rsize and bsize matter in the client role, where VSwitch lays out the
/// shared memory; a server follows the client's layout.</remarks>
public sealed record MemifPortOptions(string SocketPath, uint Id = 0, MemifRole Role = MemifRole.Server, string? Secret = null,
    int Log2RingSize = MemifPortOptions.DefaultLog2RingSize, uint BufferSize = MemifPortOptions.DefaultBufferSize)
{
    public const int DefaultLog2RingSize = 10;
    public const uint DefaultBufferSize = 2048;

    /// <summary>The option keys this kind takes, for error messages.</summary>
    public const string Usage = "id=0..4294967295, role=server|client, secret=TEXT (up to 24 bytes), rsize=1..14, bsize=128..65536";

    /// <summary>Applies one <c>key=value</c> option; false for a key that is not memif's, and an error for a bad value.</summary>
    public static bool TryApply(MemifPortOptions options, string key, string value, out MemifPortOptions result, out string? error)
    {
        result = options;
        error = null;
        switch (key)
        {
            case "id":
                if (uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint id)) result = options with { Id = id };
                else error = $"id '{value}' is not a number 0..4294967295";
                return true;
            case "role":
                if (value == "server") result = options with { Role = MemifRole.Server };
                else if (value == "client") result = options with { Role = MemifRole.Client };
                else error = $"role '{value}' is neither server nor client";
                return true;
            case "secret":
                if (value.Length > 0 && Encoding.UTF8.GetByteCount(value) <= MemifConstants.SecretSize) result = options with { Secret = value };
                else error = $"secret must be 1..{MemifConstants.SecretSize} bytes";
                return true;
            case "rsize":
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int log2)
                    && log2 is >= MemifConstants.MinLog2RingSize and <= MemifConstants.MaxLog2RingSize)
                    result = options with { Log2RingSize = log2 };
                else error = $"rsize '{value}' is not a log2 ring size {MemifConstants.MinLog2RingSize}..{MemifConstants.MaxLog2RingSize}";
                return true;
            case "bsize":
                if (uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint b) && b is >= 128 and <= 65536)
                    result = options with { BufferSize = b };
                else error = $"bsize '{value}' is not a buffer size 128..65536";
                return true;
            default:
                return false;
        }
    }

    /// <summary>A socket name is a path or <c>@name</c> (abstract), at most 107 bytes, with no comma (the spec's separator).</summary>
    public static bool IsSocketName(string name) =>
        name.Length > (name.StartsWith('@') ? 1 : 0) && Encoding.UTF8.GetByteCount(name) <= 108 - 1 && !name.Contains('\0', StringComparison.Ordinal);
}
