using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using PacketDotNet;
using ProtocolType = PacketDotNet.ProtocolType;

namespace VSwitch.Daemon.Tracing;

/// <summary>
/// Builds a frame from a short description, for <c>vswitchctl trace</c>:
/// <c>eth src=02:00:00:00:00:0a vlan=10 ipv4 src=198.18.0.10 dst=198.18.0.53 udp dport=53 dns A web.lab</c>.
/// </summary>
/// <remarks>
/// <para>Layers, each a word with optional <c>key=value</c> settings after it, outermost first:</para>
/// <list type="bullet">
/// <item><c>eth [src=MAC] [dst=MAC] [vlan=N]</c>: default source 02:00:00:00:00:01; default
/// destination the group an IP destination maps to, broadcast for ARP, else 02:00:00:00:00:02
/// (as a client sends to its resolver's MAC: the peephole answers no DNS sent to a group MAC).</item>
/// <item><c>arp [tpa=IP] [spa=IP] [sha=MAC] [op=request|reply]</c>: who-has <c>tpa</c>, from the Ethernet source.</item>
/// <item><c>ipv4 [src=IP] [dst=IP] [ttl=N]</c>, <c>ipv6 [src=IP] [dst=IP] [hlim=N]</c>.</item>
/// <item><c>udp [sport=N] [dport=N]</c>; <c>icmp</c> and <c>icmp6</c> (an echo request).</item>
/// <item><c>ns target=IP</c>: an IPv6 neighbour solicitation with the source's link-layer option.</item>
/// <item><c>dns TYPE NAME</c>: a recursive query (UDP port 53 unless <c>udp</c> says otherwise).</item>
/// </list>
/// <para>Built with PacketDotNet, a library independent of the datapath's own writers, with its
/// checksums (ICMP's computed here: PacketDotNet's ICMPv6 builder is broken), so what the trace
/// is fed is not shaped by the code under trace.</para>
/// </remarks>
public static class FrameDescription
{
    private static readonly PhysicalAddress DefaultSource = PhysicalAddress.Parse("02-00-00-00-00-01");
    private static readonly PhysicalAddress DefaultDestination = PhysicalAddress.Parse("02-00-00-00-00-02");

    /// <summary>True when <paramref name="words"/> look like a description rather than hex (the first word is a layer).</summary>
    public static bool IsDescription(IReadOnlyList<string> words) =>
        words.Count > 0 && words[0] is "eth" or "arp" or "ipv4" or "ipv6" or "udp" or "icmp" or "icmp6" or "ns" or "dns";

    public static bool TryBuild(IReadOnlyList<string> words, out byte[] frame, out string error)
    {
        frame = [];
        try
        {
            frame = Build(words);
            error = "";
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    private sealed class Layers
    {
        public PhysicalAddress EthSource = DefaultSource;
        public PhysicalAddress? EthDestination;
        public ushort? Vlan;
        public Dictionary<string, string>? Arp, Ipv4, Ipv6, Udp, Ns;
        public bool Icmp, Icmp6;
        public (ushort Type, string Name)? Dns;
    }

    private static byte[] Build(IReadOnlyList<string> words)
    {
        var l = new Layers();
        for (int i = 0; i < words.Count;)
        {
            string layer = words[i++];
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            while (i < words.Count && words[i].Contains('=', StringComparison.Ordinal))
            {
                string[] kv = words[i++].Split('=', 2);
                settings[kv[0]] = kv[1];
            }
            switch (layer)
            {
                case "eth":
                    Only(layer, settings, "src", "dst", "vlan");
                    if (settings.TryGetValue("src", out string? s)) l.EthSource = Mac(s);
                    if (settings.TryGetValue("dst", out string? d)) l.EthDestination = Mac(d);
                    if (settings.TryGetValue("vlan", out string? v)) l.Vlan = Number(v, "vlan", 0, 4094);
                    break;
                case "arp": l.Arp = Only(layer, settings, "op", "sha", "spa", "tha", "tpa"); break;
                case "ipv4": l.Ipv4 = Only(layer, settings, "src", "dst", "ttl"); break;
                case "ipv6": l.Ipv6 = Only(layer, settings, "src", "dst", "hlim"); break;
                case "udp": l.Udp = Only(layer, settings, "sport", "dport"); break;
                case "icmp": l.Icmp = Only(layer, settings) is not null; break;
                case "icmp6": l.Icmp6 = Only(layer, settings) is not null; break;
                case "ns": l.Ns = Only(layer, settings, "target"); break;
                case "dns":
                    if (i + 2 > words.Count) throw new FormatException("dns takes a type and a name: dns A web.lab");
                    l.Dns = (QueryType(words[i]), words[i + 1]);
                    i += 2;
                    break;
                default:
                    throw new FormatException($"'{layer}' is not a layer (eth, arp, ipv4, ipv6, udp, icmp, icmp6, ns, dns)");
            }
        }
        return Assemble(l);
    }

    private static byte[] Assemble(Layers l)
    {
        Packet? payload;
        EthernetType type;
        PhysicalAddress broadcast = PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF");
        PhysicalAddress destination;
        if (l.Arp is { } arp)
        {
            if (!arp.TryGetValue("tpa", out string? tpa)) throw new FormatException("arp needs tpa=IP (the address asked for)");
            var op = arp.GetValueOrDefault("op", "request") switch
            {
                "request" => ArpOperation.Request,
                "reply" => ArpOperation.Response,
                var o => throw new FormatException($"arp op '{o}' is not request or reply"),
            };
            payload = new ArpPacket(op, arp.TryGetValue("tha", out string? tha) ? Mac(tha) : PhysicalAddress.Parse("00-00-00-00-00-00"),
                Ip(tpa, AddressFamily.InterNetwork), arp.TryGetValue("sha", out string? sha) ? Mac(sha) : l.EthSource,
                Ip(arp.GetValueOrDefault("spa", "0.0.0.0"), AddressFamily.InterNetwork));
            type = EthernetType.Arp;
            destination = broadcast;
        }
        else if (l.Ipv6 is not null || l.Icmp6 || l.Ns is not null)
        {
            var six = l.Ipv6 ?? [];
            IPAddress? target = l.Ns is { } ns ? Ip(ns.GetValueOrDefault("target") ?? throw new FormatException("ns needs target=IP"), AddressFamily.InterNetworkV6) : null;
            IPAddress dst = six.TryGetValue("dst", out string? d) ? Ip(d, AddressFamily.InterNetworkV6)
                : target is not null ? SolicitedNode(target) : IPAddress.Parse("ff02::1");
            var ip = new IPv6Packet(Ip(six.GetValueOrDefault("src", "fe80::1"), AddressFamily.InterNetworkV6), dst)
            {
                HopLimit = (byte)Number(six.GetValueOrDefault("hlim", target is not null ? "255" : "64"), "hlim", 1, 255),
            };
            if (target is not null) Icmp6(ip, Solicitation(target, l.EthSource));
            else if (l.Icmp6) Icmp6(ip, [128, 0, 0, 0, 0, 1, 0, 1, .. "vswitch trace"u8]);
            else
            {
                ip.PayloadPacket = Udp(l);
                ip.UpdateCalculatedValues();
                ((UdpPacket)ip.PayloadPacket).UpdateUdpChecksum();
            }
            payload = ip;
            type = EthernetType.IPv6;
            byte[] group = dst.GetAddressBytes();
            destination = group[0] == 0xFF ? new PhysicalAddress([0x33, 0x33, group[12], group[13], group[14], group[15]]) : DefaultDestination;
        }
        else
        {
            var four = l.Ipv4 ?? [];
            var ip = new IPv4Packet(Ip(four.GetValueOrDefault("src", "198.18.0.1"), AddressFamily.InterNetwork),
                Ip(four.GetValueOrDefault("dst", "198.18.0.2"), AddressFamily.InterNetwork))
            {
                TimeToLive = Number(four.GetValueOrDefault("ttl", "64"), "ttl", 1, 255),
            };
            if (l.Icmp)
            {
                ip.Protocol = ProtocolType.Icmp;
                ip.PayloadData = Icmp4([8, 0, 0, 0, 0, 1, 0, 1, .. "vswitch trace"u8]);
            }
            else
            {
                ip.PayloadPacket = Udp(l);
            }
            ip.UpdateCalculatedValues();
            ip.UpdateIPChecksum();
            if (ip.PayloadPacket is UdpPacket u) u.UpdateUdpChecksum();
            payload = ip;
            type = EthernetType.IPv4;
            byte[] to = ip.DestinationAddress.GetAddressBytes();
            destination = to is [255, 255, 255, 255] ? broadcast
                : to[0] >> 4 == 0xE ? new PhysicalAddress([0x01, 0x00, 0x5E, (byte)(to[1] & 0x7F), to[2], to[3]]) : DefaultDestination;
        }
        var eth = new EthernetPacket(l.EthSource, l.EthDestination ?? destination, type) { PayloadPacket = payload };
        byte[] bytes = eth.Bytes;
        if (l.Vlan is not ushort vlan) return bytes;
        byte[] tagged = new byte[bytes.Length + 4];
        bytes.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), vlan);
        bytes.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }

    private static UdpPacket Udp(Layers l)
    {
        var udp = l.Udp ?? [];
        var packet = new UdpPacket(Number(udp.GetValueOrDefault("sport", "40000"), "sport", 1, 65535),
            Number(udp.GetValueOrDefault("dport", l.Dns is null ? "9" : "53"), "dport", 1, 65535));
        if (l.Dns is { } q) packet.PayloadData = DnsQuery(q.Type, q.Name);
        return packet;
    }

    // ICMPv6 as raw payload with its checksum over the pseudo-header (RFC 8200 8.1): PacketDotNet's
    // IcmpV6Packet, built from bytes, writes its header twice.
    private static void Icmp6(IPv6Packet ip, byte[] message)
    {
        uint sum = Sum(ip.SourceAddress.GetAddressBytes()) + Sum(ip.DestinationAddress.GetAddressBytes()) + (uint)message.Length + 58 + Sum(message);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), Fold(sum));
        ip.NextHeader = ProtocolType.IcmpV6;
        ip.PayloadData = message;
        ip.PayloadLength = (ushort)message.Length;
    }

    private static byte[] Icmp4(byte[] message)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), Fold(Sum(message)));
        return message;
    }

    private static uint Sum(ReadOnlySpan<byte> bytes)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < bytes.Length; i += 2) sum += (uint)(bytes[i] << 8 | bytes[i + 1]);
        if (bytes.Length % 2 == 1) sum += (uint)bytes[^1] << 8;
        return sum;
    }

    private static ushort Fold(uint sum)
    {
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static byte[] Solicitation(IPAddress target, PhysicalAddress source) =>
        [135, 0, 0, 0, 0, 0, 0, 0, .. target.GetAddressBytes(), 1, 1, .. source.GetAddressBytes()];

    private static IPAddress SolicitedNode(IPAddress target)
    {
        byte[] t = target.GetAddressBytes();
        return new IPAddress([0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, t[13], t[14], t[15]]);
    }

    private static byte[] DnsQuery(ushort type, string name)
    {
        var q = new List<byte> { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (string label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            byte[] bytes = Encoding.ASCII.GetBytes(label);
            if (bytes.Length > 63) throw new FormatException($"DNS label '{label}' is longer than 63 bytes");
            q.Add((byte)bytes.Length);
            q.AddRange(bytes);
        }
        q.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. q];
    }

    private static ushort QueryType(string text) => text.ToUpperInvariant() switch
    {
        "A" => 1, "NS" => 2, "CNAME" => 5, "SOA" => 6, "PTR" => 12, "MX" => 15, "TXT" => 16, "AAAA" => 28, "SRV" => 33, "ANY" => 255,
        _ when ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort n) => n,
        _ => throw new FormatException($"'{text}' is not a DNS type (A, AAAA, PTR, SRV, TXT, MX, NS, SOA, CNAME, ANY, or a number)"),
    };

    private static Dictionary<string, string> Only(string layer, Dictionary<string, string> settings, params string[] keys)
    {
        foreach (string k in settings.Keys)
            if (!keys.Contains(k)) throw new FormatException(keys.Length == 0 ? $"{layer} takes no settings ('{k}=')" : $"{layer} takes {string.Join(", ", keys.Select(x => x + "="))}, not '{k}='");
        return settings;
    }

    private static PhysicalAddress Mac(string text)
    {
        try
        {
            return PhysicalAddress.Parse(text.Replace(':', '-').ToUpperInvariant());
        }
        catch (FormatException)
        {
            throw new FormatException($"'{text}' is not a MAC address");
        }
    }

    private static IPAddress Ip(string text, AddressFamily family) =>
        IPAddress.TryParse(text, out IPAddress? a) && a.AddressFamily == family ? a
            : throw new FormatException($"'{text}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");

    private static ushort Number(string text, string what, int min, int max) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort n) && n >= min && n <= max ? n
            : throw new FormatException($"{what} '{text}' is not a number from {min} to {max}");
}
