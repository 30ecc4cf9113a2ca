using System.Globalization;
using System.Net;

namespace VSwitch.IntegrationTests.Dhcp;

/// <summary>What a real DHCP client was given, as its event script saw it (strings, exactly as the client passed them).</summary>
/// <param name="Address">The leased address (udhcpc <c>ip</c>, dhclient <c>new_ip_address</c>).</param>
/// <param name="Mask">Option 1, dotted.</param>
/// <param name="Router">Option 3; a list when there are several, space-separated.</param>
/// <param name="Dns">Option 6; a list when there are several, space-separated.</param>
/// <param name="Domain">Option 15.</param>
/// <param name="ServerId">Option 54: who the lease came from.</param>
/// <param name="LeaseSeconds">Option 51.</param>
public sealed record DhcpLease(string Address, string Mask, string Router, string Dns, string Domain, string ServerId, int LeaseSeconds)
{
    /// <summary>The line format both client scripts write: one <c>key=value</c> per line, in this order.</summary>
    public const string ScriptFormat = @"address=%s\nmask=%s\nrouter=%s\ndns=%s\ndomain=%s\nserver=%s\nlease=%s\n";

    /// <summary>The mask as a prefix length, for <c>ip addr add ADDRESS/PREFIX</c>.</summary>
    public int PrefixLength => System.Numerics.BitOperations.PopCount(
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(Mask).GetAddressBytes()));

    /// <summary>The first DNS server the lease names.</summary>
    public string FirstDns => Dns.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";

    /// <summary>Reads what <see cref="ScriptFormat"/> wrote.</summary>
    public static DhcpLease Parse(string text)
    {
        var values = new Dictionary<string, string>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) values[line[..eq]] = line[(eq + 1)..].Trim();
        }
        string Get(string key) => values.TryGetValue(key, out string? v) ? v : throw new FormatException($"no '{key}' in lease file:\n{text}");
        return new DhcpLease(Get("address"), Get("mask"), Get("router"), Get("dns"), Get("domain"), Get("server"),
            int.Parse(Get("lease"), CultureInfo.InvariantCulture));
    }
}
