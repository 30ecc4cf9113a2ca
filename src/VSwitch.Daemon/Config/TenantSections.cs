using VSwitch.Datapath.Files;
namespace VSwitch.Daemon.Config;

// The config file's tenant sections:
//
//     [tenant blue]
//     vlans = 10,20
//     ports = vs2,vs3
//     hosts = /var/lib/vswitch/blue/hosts
//     dhcp = 198.18.0.0/24,router=198.18.0.1,vlan=10
//
// A header opens a section and every key up to the next header belongs to it; keys before the
// first header configure the default tenant (and the switch). A section takes `vlans` and `ports`,
// which say which frames are the tenant's, and the table keys of ConfigKeys, which mean per
// tenant what they mean for the default one, read by the very same code (a section's keys are
// applied to a scratch SwitchConfig and copied out). Checks that need the whole source - no two
// tenants on one VLAN or port, none on the default tenant's VLANs, every tenant reachable, every
// DHCP scope on a VLAN of its tenant - run once it has been read, and report the line of the key
// at fault.

/// <summary>Reads <c>[tenant NAME]</c> sections and checks the tenants against each other.</summary>
public static class TenantSections
{
    /// <summary>The longest tenant name: it becomes part of counter paths and of vswitchctl's tables.</summary>
    public const int MaxNameLength = 32;

    /// <summary>Keys of <see cref="ConfigKeys"/> that a section takes, meaning the same per tenant.</summary>
    public static IReadOnlyList<string> SharedKeys { get; } =
        ["hosts", "ethers", "zone", "dns-ttl", "dns-soa-serial", "dns-ns-name", "dns-edns-size", "dns-address", "dns-upstream", "dhcp", "peephole-rate-limit"];

    /// <summary>Every key a section takes.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["vlans", "ports", .. SharedKeys];

    /// <summary>True when <paramref name="name"/> can name a tenant: 1-32 letters, digits, '-', '_' or '.', starting with a letter or digit, and not <c>default</c>.</summary>
    public static bool IsValidName(string name, out string reason)
    {
        reason = name.Length is 0 or > MaxNameLength
                ? $"a tenant name has 1 to {MaxNameLength} characters, not {name.Length}"
            : !char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
                ? $"tenant name {UntrustedText.Quote(name, ConfigKeys.MaxQuotedChars)} may hold only letters, digits, '-', '_' and '.', and starts with a letter or digit"
            : name.Equals(Datapath.Tenancy.Tenant.DefaultName, StringComparison.OrdinalIgnoreCase)
                ? "'default' is the tenant of the keys outside any section; give this one another name"
            : "";
        return reason.Length == 0;
    }

    /// <summary>A section being read.</summary>
    internal sealed class Builder(TenantConfig header)
    {
        private readonly Dictionary<string, int> _seen = [];
        private SwitchConfig _scratch = new();
        private TenantConfig _tenant = header with { VlansLine = header.Line, PortsLine = header.Line };
        private readonly List<int> _dhcpLines = [];

        public void Apply(ConfigAssignment a, List<ConfigError> errors)
        {
            if (!Keys.Contains(a.Key))
            {
                errors.Add(a.Error(ConfigKeys.Find(a.Key) is not null
                    ? $"'{a.Key}' is a switch-wide key and cannot be given per tenant; put it before the first section"
                    : $"unknown key {UntrustedText.Quote(a.Key, ConfigKeys.MaxQuotedChars)} in [tenant {_tenant.Name}]; a tenant takes {string.Join(", ", Keys)}"));
                return;
            }
            bool repeatable = a.Key is "zone" or "dhcp";
            if (_seen.TryGetValue(a.Key, out int first) && !repeatable)
            {
                errors.Add(a.Error($"'{a.Key}' is given twice in [tenant {_tenant.Name}] (first at line {first}); it takes one value"));
                return;
            }
            _seen.TryAdd(a.Key, a.Line);
            string reason;
            switch (a.Key)
            {
                // The line is kept even for a refused value: the tenant is then not also "without vlans".
                case "vlans":
                    _ = ConfigKeys.TryVlanList(a.Value, out ushort[] vlans, out reason);
                    _tenant = _tenant with { Vlans = vlans, VlansLine = a.Line };
                    break;
                case "ports":
                    _ = TryPortNames(a.Value, out string[] ports, out reason);
                    _tenant = _tenant with { Ports = ports, PortsLine = a.Line };
                    break;
                default:
                    (SwitchConfig? next, reason) = ConfigKeys.Find(a.Key)!.Apply(_scratch, a.Value);
                    if (next is not null)
                    {
                        _scratch = next;
                        if (a.Key == "dhcp") _dhcpLines.Add(a.Line);
                    }
                    break;
            }
            if (reason.Length > 0) errors.Add(a.Error($"{a.Key}: {UntrustedText.Bound(reason, ConfigKeys.MaxReasonLength)}"));
        }

        public TenantConfig Close() => _tenant with
        {
            HostsPath = _scratch.HostsPath,
            EthersPath = _scratch.EthersPath,
            Zones = _scratch.Zones,
            DnsTtl = _scratch.DnsTtl,
            DnsSoaSerial = _scratch.DnsSoaSerial,
            DnsNsName = _scratch.DnsNsName,
            DnsAddresses = _scratch.DnsAddresses,
            DnsUpstreams = _scratch.DnsUpstreams,
            DnsUdpPayloadSize = _scratch.DnsUdpPayloadSize,
            DhcpScopes = _scratch.DhcpScopes,
            DhcpLines = [.. _dhcpLines],
            PeepholeRateLimit = _seen.ContainsKey("peephole-rate-limit") ? _scratch.PeepholeRateLimit : null,
        };
    }

    /// <summary>Opens the section a header names, or says why not (null: its keys are skipped).</summary>
    internal static Builder? Open(ConfigAssignment header, IReadOnlyList<TenantConfig> earlier, List<ConfigError> errors)
    {
        // An empty name is a header the file reader refused already.
        if (header.Value.Length == 0) return null;
        if (!IsValidName(header.Value, out string reason))
        {
            errors.Add(header.Error(reason));
            return null;
        }
        if (earlier.FirstOrDefault(t => t.Name.Equals(header.Value, StringComparison.OrdinalIgnoreCase)) is { } twin)
        {
            errors.Add(header.Error($"tenant '{header.Value}' is declared twice (first at {Where(twin, twin.Line)})"));
            return null;
        }
        return new Builder(new TenantConfig(header.Value, header.Source, header.Line));
    }

    /// <summary>Checks the tenants of <paramref name="config"/> against each other and the default tenant.</summary>
    /// <remarks>Each tenant must be reachable (vlans or ports), must not claim a VLAN of another
    /// tenant or of the default tenant (<c>table-vlans</c> and the VLANs of the DHCP scopes outside
    /// the sections), nor a port another tenant claims; a DHCP scope of a tenant bound by VLAN only
    /// must serve one of its VLANs, or it would never be asked. One error per tenant and check, at
    /// the line of the key at fault.</remarks>
    public static void Validate(SwitchConfig config, List<ConfigError> errors)
    {
        var defaultVlans = new HashSet<ushort>(config.TableVlans.Concat(config.DhcpScopes.Select(d => d.Vlan)));
        var vlanOwner = new Dictionary<ushort, TenantConfig>();
        var portOwner = new Dictionary<string, TenantConfig>(StringComparer.Ordinal);
        foreach (TenantConfig t in config.Tenants)
        {
            if (t.VlansLine == t.Line && t.PortsLine == t.Line)
                errors.Add(new ConfigError(t.Source, t.Line,
                    $"tenant '{t.Name}' has neither vlans nor ports, so no frame would ever be its; give vlans = LIST or ports = NAMES"));
            foreach (ushort v in t.Vlans)
            {
                string? clash = defaultVlans.Contains(v)
                    ? $"vlans: VLAN {v} belongs to the default tenant (table-vlans, or a dhcp scope outside the sections); take it out there"
                    : vlanOwner.TryGetValue(v, out TenantConfig? o) ? $"vlans: VLAN {v} belongs to tenant '{o.Name}' already ({Where(o, o.VlansLine)})"
                    : null;
                if (clash is not null)
                {
                    errors.Add(new ConfigError(t.Source, t.VlansLine, clash));
                    break;
                }
            }
            foreach (string p in t.Ports)
            {
                if (portOwner.TryGetValue(p, out TenantConfig? o))
                {
                    errors.Add(new ConfigError(t.Source, t.PortsLine, $"ports: port '{p}' belongs to tenant '{o.Name}' already ({Where(o, o.PortsLine)})"));
                    break;
                }
            }
            foreach (ushort v in t.Vlans) vlanOwner.TryAdd(v, t);
            foreach (string p in t.Ports) portOwner.TryAdd(p, t);
            if (t.Ports.Count > 0) continue;
            for (int i = 0; i < t.DhcpScopes.Count; i++)
            {
                ushort v = t.DhcpScopes[i].Vlan;
                if (!t.Vlans.Contains(v))
                    errors.Add(new ConfigError(t.Source, i < t.DhcpLines.Count ? t.DhcpLines[i] : t.Line,
                        $"dhcp: the scope serves VLAN {v}, which is not one of tenant '{t.Name}''s VLANs; add vlan=N"));
            }
        }
    }

    // Port names as the ports have them (the spec's name= or device); a comma separates them.
    private static bool TryPortNames(string value, out string[] names, out string reason)
    {
        names = value.Split(',', StringSplitOptions.TrimEntries);
        string? bad = names.FirstOrDefault(n => n.Length is 0 or > 255 || n.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)));
        if (bad is not null)
        {
            reason = bad.Length == 0 ? "an empty port name; write NAME[,NAME...]" : $"{UntrustedText.Quote(bad, ConfigKeys.MaxQuotedChars)} is not a port name";
            names = [];
            return false;
        }
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            reason = "a port is named twice";
            names = [];
            return false;
        }
        reason = "";
        return true;
    }

    private static string Where(TenantConfig t, int line) => $"{t.Source}:{line}";
}
