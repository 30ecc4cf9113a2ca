namespace VSwitch.Datapath.Frames;

/// <summary>What a header reader's <c>TryRead</c> concluded about the bytes it was given.</summary>
/// <remarks>Readers never throw for bad input: every outcome other than <see cref="Ok"/> leaves
/// the out view at its default and consumes nothing.</remarks>
public enum ParseResult : byte
{
    /// <summary>The header is whole and its fields agree with each other and the buffer.</summary>
    Ok,
    /// <summary>The buffer ends before the header (or the length it declares) does.</summary>
    Truncated,
    /// <summary>The header is whole but a field contradicts another or the buffer (a length that lies, IHL &lt; 5, a bad checksum).</summary>
    Malformed,
    /// <summary>Well formed, but a variant this reader does not handle (another hardware type, IP version, ...).</summary>
    Unsupported,
}
