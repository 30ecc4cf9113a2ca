using System.Net;
using System.Net.Sockets;

namespace VSwitch.Daemon.Config;

/// <summary>The value of <c>dns-address</c>: <c>IPV4[,IPV6]</c>.</summary>
internal static class DnsAddressSyntax
{
    /// <summary>One IPv4 address, one IPv6 address, or one of each: unicast addresses a host can send to.</summary>
    public static bool TryAddresses(string value, out IPAddress[] addresses, out string reason)
    {
        addresses = [];
        string[] parts = value.Split(',');
        var parsed = new List<IPAddress>();
        foreach (string part in parts)
        {
            // IPAddress.TryParse takes "10" for 0.0.0.10: an IPv4 address here is written with its four parts.
            if (!IPAddress.TryParse(part, out IPAddress? a) || part.Contains('%') || !IsHostUnicast(a) ||
                (a.AddressFamily == AddressFamily.InterNetwork && part.Count(c => c == '.') != 3))
            {
                reason = $"'{ConfigKeys.Clip(part)}' is not a unicast IPv4 or IPv6 address";
                return false;
            }
            parsed.Add(a);
        }
        if (parsed.Count > 2 || parsed.GroupBy(a => a.AddressFamily).Any(g => g.Count() > 1))
        {
            reason = $"'{ConfigKeys.Clip(value)}' is not IPV4[,IPV6]: at most one address of each family";
            return false;
        }
        addresses = [.. parsed];
        reason = "";
        return true;
    }

    private static bool IsHostUnicast(IPAddress a)
    {
        if (IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.Broadcast)) return false;
        byte[] b = a.GetAddressBytes();
        return a.AddressFamily == AddressFamily.InterNetwork ? (b[0] & 0xF0) != 0xE0 : b[0] != 0xFF;
    }
}
