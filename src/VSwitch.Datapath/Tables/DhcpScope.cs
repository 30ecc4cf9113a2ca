using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace VSwitch.Datapath.Tables;

/// <summary>
/// One DHCP scope: the subnet whose ethers-table hosts get leases, and the options they get.
/// Written <c>SUBNET/PREFIX[,router=IP][,dns=IP][,domain=NAME][,lease=SECONDS|infinite][,vlan=N][,server=IP][,mtu=BYTES]</c>.
/// </summary>
/// <remarks>
/// The server identifier (option 54, and the source address of replies) is <c>server=</c> if
/// given, else the DNS address, else the router, else the subnet's first address. Clients renew
/// by unicast to it, so it should be an address the ethers table has (then the switch answers
/// the client's ARP for it and replies from that MAC); otherwise replies come from
/// <see cref="DefaultServerMac"/> and renewals fall back to broadcast (REBINDING), which is answered too.
/// </remarks>
public sealed record DhcpScope(uint Network, int PrefixLength, uint? Router, uint? Dns, string? Domain, uint LeaseSeconds, ushort Vlan, uint ServerId)
{
    public const uint DefaultLeaseSeconds = 3600;

    /// <summary>The lease time that never ends (RFC 2131 3.3): <c>lease=infinite</c>.</summary>
    public const uint InfiniteLease = uint.MaxValue;

    /// <summary>Option 26, the interface MTU handed to clients (<c>mtu=</c>; 68 to 65535), or null to send none.
    /// Overlay networks need it: a VXLAN segment over a 1500-byte underlay carries 1450.</summary>
    public ushort? Mtu { get; init; }

    public bool IsInfinite => LeaseSeconds == InfiniteLease;

    /// <summary>The MAC of a server identifier the ethers table does not have: the switch's own (<see cref="PeepholeTables.ResponderMac"/>).</summary>
    public const ulong DefaultServerMac = PeepholeTables.ResponderMac;

    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    public uint Broadcast => Network | ~Mask;

    public bool Contains(uint address) => (address & Mask) == Network;

    /// <summary>The domain name as option bytes (ASCII).</summary>
    public byte[] DomainBytes { get; } = Domain is null ? [] : Encoding.ASCII.GetBytes(Domain);

    public static bool TryParse(string text, out DhcpScope? scope, out string error)
    {
        scope = null;
        error = "";
        string[] parts = text.Split(',');
        string[] net = parts[0].Split('/');
        if (net.Length != 2 || !TryIPv4(net[0], out uint network) || !int.TryParse(net[1], out int prefix) || prefix is < 8 or > 30)
        {
            error = $"dhcp '{text}': '{parts[0]}' is not SUBNET/PREFIX with a prefix from 8 to 30";
            return false;
        }
        uint mask = uint.MaxValue << (32 - prefix);
        if ((network & ~mask) != 0)
        {
            error = $"dhcp '{text}': {net[0]} has host bits set for /{prefix}";
            return false;
        }
        uint? router = null, dns = null, server = null;
        string? domain = null;
        uint lease = DefaultLeaseSeconds;
        ushort vlan = 1;
        ushort? mtu = null;
        foreach (string option in parts.Skip(1))
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? option : option[..eq], value = eq < 0 ? "" : option[(eq + 1)..];
            bool ok = key switch
            {
                "router" => TryIPv4(value, out uint r) && Set(ref router, r),
                "dns" => TryIPv4(value, out uint d) && Set(ref dns, d),
                "server" => TryIPv4(value, out uint s) && Set(ref server, s),
                "domain" => value.Length is > 0 and <= 255 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-') && (domain = value) is not null,
                "lease" => value == "infinite" ? (lease = InfiniteLease) > 0 : uint.TryParse(value, out lease) && lease >= 60,
                "mtu" => ushort.TryParse(value, out ushort m) && m >= 68 && (mtu = m) is not null,
                "vlan" => ushort.TryParse(value, out vlan) && vlan is >= 1 and <= 4094,
                _ => false,
            };
            if (!ok)
            {
                error = $"dhcp '{text}': bad option '{option}' (router=IP, dns=IP, server=IP, domain=NAME, lease=SECONDS>=60|infinite, vlan=1..4094, mtu=68..65535)";
                return false;
            }
        }
        uint serverId = server ?? dns ?? router ?? network + 1;
        scope = new DhcpScope(network, prefix, router, dns, domain, lease, vlan, serverId) { Mtu = mtu };
        return true;
    }

    private static bool Set(ref uint? field, uint value)
    {
        field = value;
        return true;
    }

    private static bool TryIPv4(string text, out uint address)
    {
        address = 0;
        if (!IPAddress.TryParse(text, out IPAddress? ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') != 3)
            return false;
        address = BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
        return true;
    }
}
