using VSwitch.Datapath.Files;
using System.Net;
using System.Net.Sockets;

namespace VSwitch.Daemon.Config;

/// <summary>The values of <c>dns-address</c> (<c>IPV4[,IPV6]</c>) and <c>dns-upstream</c> (<c>IP[:PORT][,IP...]</c>).</summary>
internal static class DnsAddressSyntax
{
    /// <summary>Most upstream servers one tenant may name: resolv.conf's three, and some room.</summary>
    public const int MaxUpstreams = 8;

    /// <summary>Up to <see cref="MaxUpstreams"/> servers, <c>IP</c>, <c>IP:PORT</c> or <c>[IPV6]:PORT</c>; the port is 53 unless given.</summary>
    public static bool TryUpstreams(string value, out IPEndPoint[] upstreams, out string reason)
    {
        upstreams = [];
        var parsed = new List<IPEndPoint>();
        foreach (string part in value.Split(','))
        {
            IPEndPoint? endpoint = null;
            if (IPAddress.TryParse(part, out IPAddress? bare) && !part.StartsWith('[') && (bare.AddressFamily == AddressFamily.InterNetworkV6 || part.Count(c => c == '.') == 3))
                endpoint = new IPEndPoint(bare, 53);
            else if (IPEndPoint.TryParse(part, out IPEndPoint? withPort) && withPort.Port != 0 &&
                     (withPort.AddressFamily == AddressFamily.InterNetworkV6 ? part.StartsWith('[') : part.Split(':')[0].Count(c => c == '.') == 3))
                endpoint = withPort;
            if (endpoint is null || part.Contains('%') || !(IsHostUnicast(endpoint.Address) || IPAddress.IsLoopback(endpoint.Address)))
            {
                reason = $"{UntrustedText.Quote(part, ConfigKeys.MaxQuotedChars)} is not IP, IP:PORT or [IPV6]:PORT of a unicast server";
                return false;
            }
            parsed.Add(endpoint);
        }
        if (parsed.Count > MaxUpstreams)
        {
            reason = $"{parsed.Count} upstream servers; at most {MaxUpstreams}";
            return false;
        }
        upstreams = [.. parsed];
        reason = "";
        return true;
    }

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
                reason = $"{UntrustedText.Quote(part, ConfigKeys.MaxQuotedChars)} is not a unicast IPv4 or IPv6 address";
                return false;
            }
            parsed.Add(a);
        }
        if (parsed.Count > 2 || parsed.GroupBy(a => a.AddressFamily).Any(g => g.Count() > 1))
        {
            reason = $"{UntrustedText.Quote(value, ConfigKeys.MaxQuotedChars)} is not IPV4[,IPV6]: at most one address of each family";
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
