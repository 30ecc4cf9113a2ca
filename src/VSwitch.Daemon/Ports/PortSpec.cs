namespace VSwitch.Daemon.Ports;

/// <summary>A port as written on the command line or in the config file: <c>KIND:ARGUMENTS</c>.</summary>
/// <remarks>Kinds: <c>pcap-file:IN[,OUT]</c> (either may be empty). Later kinds (<c>tap:</c>,
/// <c>afpacket:</c>, <c>pcap:</c>) parse here too.</remarks>
public sealed record PortSpec(string Kind, string Name, string? Input, string? Output)
{
    public const string PcapFile = "pcap-file";

    public static bool TryParse(string text, out PortSpec? spec, out string error)
    {
        spec = null;
        error = "";
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = $"port '{text}' is not KIND:ARGUMENTS";
            return false;
        }
        string kind = text[..colon], rest = text[(colon + 1)..];
        switch (kind)
        {
            case PcapFile:
                string[] parts = rest.Split(',');
                string? input = parts[0].Length > 0 ? parts[0] : null;
                string? output = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null;
                if (parts.Length > 2 || (input is null && output is null))
                {
                    error = $"port '{text}': pcap-file takes IN[,OUT] with at least one of them";
                    return false;
                }
                string name = Path.GetFileNameWithoutExtension(input ?? output!);
                spec = new PortSpec(kind, name, input, output);
                return true;
            default:
                error = $"port '{text}': unknown kind '{kind}' (known: {PcapFile})";
                return false;
        }
    }
}
