using VSwitch.Daemon.Ports.Memif;
using VSwitch.Datapath.Ports;

namespace VSwitch.Daemon.Ports;

/// <summary>A port as written on the command line, in the config file or to <c>vswitchctl port add</c>.</summary>
/// <remarks>
/// Syntax: <c>KIND:ARG[,ARG][,key=value...]</c>. Kinds: <c>tap:NAME</c>, <c>afpacket:IFNAME</c>,
/// <c>pcap:IFNAME</c>, <c>pcap-file:IN[,OUT]</c> (either may be empty),
/// <c>memif:SOCKETPATH[,id=N][,role=server|client][,secret=S][,rsize=LOG2][,bsize=B]</c> (a shared-memory
/// port, <see cref="MemifPortOptions"/>; named <c>memifN</c> after its id by default). Options, for every kind:
/// <c>vlan=N</c> (access port, the default is VLAN 1), <c>trunk=N,M-K</c> written as
/// <c>trunk=N;M-K</c>, <c>mtu=BYTES</c> (default 1500), <c>name=NAME</c> (the port's name; default the
/// device or file name), <c>keep</c> (tap only: keep a TAP device the switch created when it stops).
/// </remarks>
public sealed record PortSpec(string Kind, string Name, string? Input, string? Output, PortConfig Config, bool Keep)
{
    public const string Tap = "tap", AfPacket = "afpacket", Pcap = "pcap", PcapFile = "pcap-file", Memif = "memif";
    private static readonly string[] Kinds = [Tap, AfPacket, Pcap, PcapFile, Memif];

    /// <summary>The memif options, for a memif port.</summary>
    public MemifPortOptions? MemifOptions { get; init; }

    /// <summary>The text this spec was parsed from, for listings.</summary>
    public string Text { get; init; } = "";

    public static bool TryParse(string text, out PortSpec? spec, out string error)
    {
        spec = null;
        error = "";
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = $"port '{text}' is not KIND:ARGUMENTS (kinds: {string.Join(", ", Kinds)})";
            return false;
        }
        string kind = text[..colon];
        if (!Kinds.Contains(kind))
        {
            error = $"port '{text}': unknown kind '{kind}' (kinds: {string.Join(", ", Kinds)})";
            return false;
        }
        var positional = new List<string>();
        string? name = null;
        VlanMode vlans = VlanMode.Access();
        int mtu = PortConfig.DefaultMtu;
        bool keep = false;
        string? vlanOption = null;
        var memif = new MemifPortOptions("");
        foreach (string part in text[(colon + 1)..].Split(','))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                // "trunk=10,20": the ',' ended the option, and "20" would read as a device or file.
                if (vlanOption == "trunk" && IsVlanListItem(part))
                {
                    error = $"port '{text}': '{part}' after trunk= is taken for another option, since ',' separates options; separate a trunk's VLANs with ';' (trunk=10;20-29)";
                    return false;
                }
                if (part == "keep") keep = true;
                else positional.Add(part);
                continue;
            }
            string key = part[..eq], value = part[(eq + 1)..];
            switch (key)
            {
                case "name" when IsDeviceName(value):
                    name = value;
                    break;
                case "vlan" or "trunk":
                    // One port is an access port or a trunk, never both: which did the user mean?
                    if (vlanOption is not null && vlanOption != key)
                    {
                        error = $"port '{text}': give vlan= (an access port) or trunk= (a trunk), not both";
                        return false;
                    }
                    vlanOption = key;
                    if (!VlanMode.TryParse((key == "vlan" ? "access:" : "trunk:") + value.Replace(';', ','), out VlanMode? mode, out string vlanError))
                    {
                        error = $"port '{text}': {vlanError}";
                        return false;
                    }
                    vlans = mode!;
                    break;
                case "mtu" when int.TryParse(value, out int m) && m is >= 68 and <= 65535:
                    mtu = m;
                    break;
                default:
                    if (kind == Memif && MemifPortOptions.TryApply(memif, key, value, out memif, out string? memifError))
                    {
                        if (memifError is null) break;
                        error = $"port '{text}': {memifError}";
                        return false;
                    }
                    error = kind == Memif
                        ? $"port '{text}': bad option '{part}' (options: name=NAME, vlan=N, trunk=N;M-K, mtu=68..65535, {MemifPortOptions.Usage})"
                        : $"port '{text}': bad option '{part}' (options: name=NAME, vlan=N, trunk=N;M-K, mtu=68..65535, keep)";
                    return false;
            }
        }

        string? input = null, output = null;
        if (kind == Memif)
        {
            if (positional.Count != 1 || !MemifPortOptions.IsSocketName(positional[0]))
            {
                error = $"port '{text}': memif takes one socket name (a path or @abstract-name, at most 107 bytes)";
                return false;
            }
            if (keep)
            {
                error = $"port '{text}': 'keep' applies to tap ports only";
                return false;
            }
            input = positional[0];
            name ??= "memif" + memif.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            spec = new PortSpec(kind, name, input, null, new PortConfig(vlans, mtu), false) { Text = text, MemifOptions = memif with { SocketPath = input } };
            return true;
        }
        if (kind == PcapFile)
        {
            input = positional.ElementAtOrDefault(0) is { Length: > 0 } i ? i : null;
            output = positional.ElementAtOrDefault(1) is { Length: > 0 } o ? o : null;
            if (positional.Count is < 1 or > 2 || (input is null && output is null))
            {
                error = $"port '{text}': pcap-file takes IN[,OUT] with at least one of them";
                return false;
            }
            name ??= Path.GetFileNameWithoutExtension(input ?? output!);
        }
        else
        {
            if (positional.Count != 1 || !IsDeviceName(positional[0]))
            {
                error = $"port '{text}': {kind} takes one interface name (1-15 characters, no '/', ':' or spaces)";
                return false;
            }
            input = positional[0];
            name ??= positional[0];
            if (keep && kind != Tap)
            {
                error = $"port '{text}': 'keep' applies to tap ports only";
                return false;
            }
        }
        spec = new PortSpec(kind, name, input, output, new PortConfig(vlans, mtu), keep) { Text = text };
        return true;
    }

    /// <summary>Linux interface names: 1-15 bytes, no slash, colon or white space.</summary>
    // A VLAN number or range, as a trunk's list holds (10, 20-29).
    private static bool IsVlanListItem(string part) =>
        part.Length > 0 && part.All(c => char.IsAsciiDigit(c) || c == '-') && char.IsAsciiDigit(part[0]);

    public static bool IsDeviceName(string name) =>
        name.Length is >= 1 and <= 15 && name.All(c => c > ' ' && c < 127 && c is not ('/' or ':'));
}
