using VSwitch.Datapath.Files;
using System.Globalization;
using Microsoft.Extensions.Logging;
using VSwitch.Daemon.Ports;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;

namespace VSwitch.Daemon.Config;

// The one table of settings. A key means the same in the config file ("key = value") and on
// vswitchd's command line ("--key value"), so there is one parser per setting, one help line and
// one entry in docs/configuration.md. Each entry checks its value and returns the changed config
// or a reason; nothing here throws for user input.

/// <summary>One setting: its name, whether it may be given more than once, help, and how it applies.</summary>
/// <param name="Name">The key (<c>mac-aging</c>); on the command line, <c>--mac-aging</c>.</param>
/// <param name="Repeatable">Given several times, the values add up (<c>port</c>, <c>zone</c>); otherwise once only.</param>
/// <param name="Value">The value's shape for help text (<c>SECONDS</c>).</param>
/// <param name="Help">One line of help.</param>
/// <param name="Apply">Checks the value and returns the config with it applied, or null and a reason.</param>
/// <param name="Clear">For a repeatable key: the config with its list emptied (a later source replaces an earlier one's list).</param>
public sealed record ConfigKey(
    string Name,
    bool Repeatable,
    string Value,
    string Help,
    Func<SwitchConfig, string, (SwitchConfig? Config, string Reason)> Apply,
    Func<SwitchConfig, SwitchConfig>? Clear = null);

/// <summary>Every setting vswitchd knows.</summary>
public static class ConfigKeys
{
    public static IReadOnlyList<ConfigKey> All { get; } =
    [
        new("port", true, "SPEC", "a port: tap:NAME, afpacket:IF, pcap:IF, pcap-file:IN[,OUT] or memif:SOCKET[,id=N,role=server|client,secret=S,rsize=LOG2,bsize=B], with ,vlan=N ,trunk=N;M-K ,mtu=N ,name=NAME",
            (c, v) => PortSpec.TryParse(v, out PortSpec? spec, out string error)
                ? (c with { Ports = [.. c.Ports, spec!] }, "")
                : (null, error),
            c => c with { Ports = [] }),
        new("hosts", false, "FILE|none", "hosts(5) file the DNS responder answers from",
            (c, v) => Path(v, out string r) ? (c with { HostsPath = v }, "") : (null, r)),
        new("ethers", false, "FILE|none", "ethers(5) file the ARP and ND responders answer from",
            (c, v) => Path(v, out string r) ? (c with { EthersPath = v }, "") : (null, r)),
        new("zone", true, "NAME", "a DNS zone answered authoritatively (NXDOMAIN for unknown names in it)",
            (c, v) => ZoneName(v, out string zone, out string r) ? (c with { Zones = [.. c.Zones, zone] }, "") : (null, r),
            c => c with { Zones = [] }),
        new("dns-ttl", false, "SECONDS", "TTL of DNS answers (0-2147483647)",
            (c, v) => UInt(v, 0, int.MaxValue, out uint n, out string r) ? (c with { DnsTtl = n }, "") : (null, r)),
        new("dns-soa-serial", false, "N", "SOA serial of the local zones",
            (c, v) => UInt(v, 0, uint.MaxValue, out uint n, out string r) ? (c with { DnsSoaSerial = n }, "") : (null, r)),
        new("dns-address", false, "IPV4[,IPV6]", "the switch's own DNS address(es): ARP and ND for them are answered from the responder MAC",
            (c, v) => DnsAddressSyntax.TryAddresses(v, out var a, out string r) ? (c with { DnsAddresses = a }, "") : (null, r)),
        new("dns-upstream", false, "IP[:PORT][,IP...]", "servers the DNS address forwards what the tables do not answer to, in order (default: none, REFUSED)",
            (c, v) => DnsAddressSyntax.TryUpstreams(v, out var u, out string r) ? (c with { DnsUpstreams = u }, "") : (null, r)),
        new("dns-ns-name", false, "NAME", "server name NS queries at a local zone's apex are answered with (default: NODATA)",
            (c, v) => ZoneName(v, out string ns, out string r) ? (c with { DnsNsName = ns }, "") : (null, r)),
        new("dns-edns-size", false, "BYTES", "EDNS UDP payload size announced in replies (512-4096)",
            (c, v) => UInt(v, 512, 4096, out uint n, out string r) ? (c with { DnsUdpPayloadSize = (ushort)n }, "") : (null, r)),
        new("dhcp", true, "SUBNET/PREFIX[,router=IP][,dns=IP][,domain=NAME][,lease=SECONDS|infinite][,vlan=N][,server=IP][,mtu=BYTES]",
            "answer DHCP for ethers-table hosts inside SUBNET (static leases); without dns= no DNS option is sent",
            (c, v) => DhcpScope.TryParse(v, out DhcpScope? scope, out string r) ? (c with { DhcpScopes = [.. c.DhcpScopes, scope!] }, "") : (null, r),
            c => c with { DhcpScopes = [] }),
        new("table-vlans", false, "LIST", "VLANs the tables answer on, as 1,10-20 (default 1)",
            (c, v) => TryVlanList(v, out ushort[] vlans, out string r) ? (c with { TableVlans = vlans }, "") : (null, r)),
        new("control", false, "PATH|none", "control socket path (default " + Defaults.ControlPath + ")",
            (c, v) => Path(v, out string r) ? (c with { ControlPath = v }, "") : (null, r)),
        new("port-state", false, "FILE|none", "where ports added and deleted at run time, and the TAP devices vswitchd created, are kept across restarts (default " + Defaults.PortStatePath + ")",
            (c, v) => Path(v, out string r) ? (c with { PortStatePath = v }, "") : (null, r)),
        new("metrics-listen", false, "ADDR:PORT|none", "serve the counters as Prometheus text at http://ADDR:PORT/metrics (default: none; give a loopback address unless a scraper elsewhere needs it)",
            (c, v) => v == Defaults.None ? (c with { MetricsListen = null }, "")
                : System.Net.IPEndPoint.TryParse(v, out System.Net.IPEndPoint? e) && e.Port != 0 && v.Contains(':', StringComparison.Ordinal)
                    ? (c with { MetricsListen = e }, "")
                    : (null, $"{UntrustedText.Quote(v, MaxQuotedChars)} is not ADDR:PORT (127.0.0.1:9477, [::1]:9477) or none")),
        new("control-mode", false, "OCTAL", "control socket permissions (default 0660)",
            (c, v) => Mode(v, out UnixFileMode m, out string r) ? (c with { ControlMode = m }, "") : (null, r)),
        new("table-errors", false, "refuse|skip", "a table file with bad lines: refuse (default: not served; vswitchd does not start) or skip (serve the good lines)",
            (c, v) => v switch
            {
                "refuse" => (c with { TableErrors = Storage.TableErrorPolicy.Refuse }, ""),
                "skip" => (c with { TableErrors = Storage.TableErrorPolicy.Skip }, ""),
                _ => (null, $"{UntrustedText.Quote(v, MaxQuotedChars)} is not one of refuse, skip"),
            }),
        new("mac-aging", false, "SECONDS", "how long a learned address is kept (1-86400, default 300)",
            (c, v) => UInt(v, 1, 86400, out uint n, out string r) ? (c with { MacAging = TimeSpan.FromSeconds(n) }, "") : (null, r)),
        new("mac-table-size", false, "N", "most addresses the MAC table holds (16-16777216, default 65536)",
            (c, v) => UInt(v, 16, 1 << 24, out uint n, out string r) ? (c with { MacTableSize = (int)n }, "") : (null, r)),
        new("peephole-rate-limit", false, "N", "most ARP, ND and DNS replies per second per port, in bursts of a tenth of that (0 = no limit, default 20000)",
            (c, v) => UInt(v, 0, 100_000_000, out uint n, out string r) ? (c with { PeepholeRateLimit = (int)n }, "") : (null, r)),
        new("idle", false, "POLICY", "what the loop does when idle: adaptive (spin, yield, then sleep), spin, yield or sleep",
            (c, v) => Idle(v, out IdlePolicy? p, out string r) ? (c with { Idle = p!, IdleName = v }, "") : (null, r)),
        new("frame-pool-slots", false, "N", "frame slots in the pool (256-1048576, default 4096)",
            (c, v) => UInt(v, 256, 1 << 20, out uint n, out string r) ? (c with { FramePoolSlots = (int)n }, "") : (null, r)),
        new("supervise-interval", false, "SECONDS", "how often ports that went down are looked for and re-opened (1-3600, default 1)",
            (c, v) => UInt(v, 1, 3600, out uint n, out string r) ? (c with { SuperviseInterval = TimeSpan.FromSeconds(n) }, "") : (null, r)),
        new("log-level", false, "LEVEL", "least severe log level: trace, debug, information, warning, error or critical",
            (c, v) => Level(v, out LogLevel l, out string r) ? (c with { LogLevel = l }, "") : (null, r)),
    ];

    /// <summary>The key named <paramref name="name"/>, or null.</summary>
    public static ConfigKey? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>Applies assignments from one source (a file or the command line) on top of <paramref name="start"/>.</summary>
    /// <remarks>Every assignment is checked, so that all errors are reported at once; the result is
    /// null when there was any. Assignments after a section header are the section's
    /// (<see cref="TenantSections"/>), and the tenants are checked once all are read. A repeatable key given in this source replaces the list
    /// <paramref name="start"/> had (the command line's ports replace the file's); a single-valued
    /// key may be given once per source.</remarks>
    public static SwitchConfig? ApplyAll(SwitchConfig start, IEnumerable<ConfigAssignment> assignments, List<ConfigError> errors)
    {
        SwitchConfig config = start;
        var seen = new Dictionary<string, int>();
        int before = errors.Count;
        var tenants = new List<TenantConfig>(start.Tenants);
        bool inSection = false;
        TenantSections.Builder? section = null;
        foreach (ConfigAssignment a in assignments)
        {
            // From a section header on, every key is the section's (TenantSections).
            if (a.IsSection)
            {
                if (section is not null) tenants.Add(section.Close());
                section = TenantSections.Open(a, tenants, errors);
                inSection = true;
                continue;
            }
            if (inSection)
            {
                section?.Apply(a, errors);
                continue;
            }
            ConfigKey? key = Find(a.Key);
            if (key is null)
            {
                errors.Add(a.Error($"unknown key {UntrustedText.Quote(a.Key, ConfigKeys.MaxQuotedChars)}" + Suggest(a.Key)));
                continue;
            }
            if (seen.TryGetValue(key.Name, out int firstLine))
            {
                if (!key.Repeatable)
                {
                    errors.Add(a.Error(firstLine > 0
                        ? $"'{key.Name}' is given twice (first at line {firstLine}); it takes one value"
                        : $"'{key.Name}' is given twice; it takes one value"));
                    continue;
                }
            }
            else
            {
                seen[key.Name] = a.Line;
                if (key.Clear is not null) config = key.Clear(config);
            }
            var (next, reason) = key.Apply(config, a.Value);
            // A key's reason may quote the whole value (a port spec does): it is made printable and bounded here, once for every key.
            if (next is null) errors.Add(a.Error($"{key.Name}: {UntrustedText.Bound(reason, MaxReasonLength)}"));
            else config = next;
        }
        if (section is not null) tenants.Add(section.Close());
        config = config with { Tenants = tenants };
        TenantSections.Validate(config, errors);
        return errors.Count == before ? config : null;
    }

    /// <summary>The options part of vswitchd's help, one line per key.</summary>
    public static string HelpText() => string.Join('\n', All.Select(k =>
        $"  --{k.Name} {k.Value}".PadRight(34) + " " + k.Help + (k.Repeatable ? " (repeatable)" : "")));

    private static string Suggest(string key)
    {
        ConfigKey? close = All.FirstOrDefault(k => k.Name.Replace("-", "", StringComparison.Ordinal)
            .Equals(key.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
        return close is null ? "" : $" (did you mean '{close.Name}'?)";
    }

    private static bool Path(string value, out string reason)
    {
        reason = value.Length == 0 ? "an empty path; write 'none' to switch it off" :
                 value.Contains('\0') ? "a path cannot contain a NUL character" : "";
        return reason.Length == 0;
    }

    private static bool UInt(string value, uint min, uint max, out uint n, out string reason)
    {
        if (uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out n) && n >= min && n <= max)
        {
            reason = "";
            return true;
        }
        reason = $"{UntrustedText.Quote(value, ConfigKeys.MaxQuotedChars)} is not a whole number from {min} to {max}";
        return false;
    }

    private static bool ZoneName(string value, out string zone, out string reason)
    {
        // A zone must be a name the hosts table could hold, so it is checked by the hosts reader
        // itself, as the name on a one-line hosts file: one set of naming rules for the switch.
        zone = "";
        TableParse<HostsEntry> parse = HostsFileReader.Parse("zone", "0.0.0.0 " + value);
        if (value.Contains('#') || !parse.Ok || parse.Entries.Count != 1 || parse.Entries[0].Aliases.Count != 0)
        {
            reason = parse.Errors.Count > 0 ? parse.Errors[0].Reason : $"{UntrustedText.Quote(value, ConfigKeys.MaxQuotedChars)} is not one DNS name";
            return false;
        }
        zone = parse.Entries[0].CanonicalName;
        reason = "";
        return true;
    }

    /// <summary>Reads a VLAN list such as <c>1,10-20</c>.</summary>
    internal static bool TryVlanList(string value, out ushort[] vlans, out string reason)
    {
        vlans = [];
        if (!VlanMode.TryParse("trunk:" + value, out VlanMode? mode, out reason)) return false;
        vlans = mode!.Vlans().ToArray();
        reason = "";
        return true;
    }

    private static bool Mode(string value, out UnixFileMode mode, out string reason)
    {
        mode = 0;
        int bits = 0;
        bool ok = value.Length is >= 3 and <= 4 && value.All(ch => ch is >= '0' and <= '7');
        foreach (char ch in ok ? value : "") bits = bits * 8 + (ch - '0');
        if (!ok || bits > 0x1FF)
        {
            reason = $"{UntrustedText.Quote(value, ConfigKeys.MaxQuotedChars)} is not an octal permission such as 0660";
            return false;
        }
        mode = (UnixFileMode)bits;
        reason = "";
        return true;
    }

    private static bool Idle(string value, out IdlePolicy? policy, out string reason)
    {
        policy = value switch
        {
            "adaptive" => IdlePolicy.Default,
            "spin" => IdlePolicy.BusyPoll,
            "yield" => new IdlePolicy(0, int.MaxValue, 0),
            "sleep" => new IdlePolicy(0, 0, IdlePolicy.Default.SleepMicroseconds),
            _ => null,
        };
        reason = policy is null ? $"{UntrustedText.Quote(value, ConfigKeys.MaxQuotedChars)} is not one of adaptive, spin, yield, sleep" : "";
        return policy is not null;
    }

    private static bool Level(string value, out LogLevel level, out string reason)
    {
        bool ok = Logging.LogLevelSwitch.TryParse(value, out level);
        reason = ok ? "" : $"{UntrustedText.Quote(value, ConfigKeys.MaxQuotedChars)} is not one of {string.Join(", ", Logging.LogLevelSwitch.Names)}";
        return ok;
    }

    // Values are quoted back into errors, which go to a terminal and the log: a hostile or
    // mistaken value must neither flood them nor carry control characters into them.
    internal const int MaxQuotedChars = 60;

    // The longest reason a key's check may give, after the value it quotes is clipped.
    internal const int MaxReasonLength = 300;
}

/// <summary>One <c>key = value</c> as read from a file or the command line, with where it was written.</summary>
/// <remarks>A section header <c>[tenant NAME]</c> is one too: <see cref="SectionKey"/> with the name as its value
/// (empty when the header itself was refused).</remarks>
public sealed record ConfigAssignment(string Key, string Value, string Source, int Line)
{
    /// <summary>The key of a section header; no key can be spelt so in a file or on the command line.</summary>
    public const string SectionKey = "[tenant]";

    public bool IsSection => Key == SectionKey;

    /// <summary>The header of the section of tenant <paramref name="name"/>.</summary>
    public static ConfigAssignment Section(string name, string source, int line) => new(SectionKey, name, source, line);

    public ConfigError Error(string reason) => new(Source, Line, reason);
}
