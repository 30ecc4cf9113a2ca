namespace VSwitch.Datapath.Frames;

/// <summary>A whole UDP datagram in an IPv4 or IPv6 packet, both checksums verified: what a
/// responder may answer.</summary>
/// <remarks>
/// The DNS and DHCP responders decide first, each by its own rules, that a packet is theirs
/// (protocol, port, fragments); <see cref="TryRead(Ipv4Header, bool, out UdpOverIp)"/> and its
/// IPv6 twin then make the checks every UDP reply depends on, the same way for both. A checksum the
/// port marks as not yet computed (<c>checksumPartial</c>: a frame from the local stack with
/// offload) is taken as valid, as the kernel takes it.
/// </remarks>
public readonly ref struct UdpOverIp
{
    private UdpOverIp(uint source4, uint destination4, ReadOnlySpan<byte> source6, ReadOnlySpan<byte> destination6,
        int ipHeaderLength, UdpDatagram udp)
    {
        Source4 = source4;
        Destination4 = destination4;
        Source6 = source6;
        Destination6 = destination6;
        IpHeaderLength = ipHeaderLength;
        Udp = udp;
    }

    /// <summary>The IPv4 addresses (0 over IPv6).</summary>
    public uint Source4 { get; }
    public uint Destination4 { get; }

    /// <summary>The 16-byte IPv6 addresses (empty over IPv4).</summary>
    public ReadOnlySpan<byte> Source6 { get; }
    public ReadOnlySpan<byte> Destination6 { get; }

    /// <summary>The bytes before the UDP header: the IPv4 header with options, or the IPv6 header
    /// with its hop-by-hop options.</summary>
    public int IpHeaderLength { get; }

    public UdpDatagram Udp { get; }

    /// <summary>False when the header checksum, the UDP length or the UDP checksum is wrong.</summary>
    public static bool TryRead(Ipv4Header ip, bool checksumPartial, out UdpOverIp packet)
    {
        packet = default;
        if (!ip.HasValidChecksum() || UdpDatagram.TryRead(ip.Payload, out UdpDatagram udp) != ParseResult.Ok) return false;
        if (!checksumPartial && !udp.HasValidChecksumIPv4(ip.Source, ip.Destination)) return false;
        packet = new UdpOverIp(ip.Source, ip.Destination, default, default, ip.HeaderLength, udp);
        return true;
    }

    /// <summary>False when the UDP length or the UDP checksum is wrong.</summary>
    public static bool TryRead(Ipv6Header ip, bool checksumPartial, out UdpOverIp packet)
    {
        packet = default;
        if (UdpDatagram.TryRead(ip.Payload, out UdpDatagram udp) != ParseResult.Ok) return false;
        if (!checksumPartial && !udp.HasValidChecksumIPv6(ip.Source, ip.Destination)) return false;
        packet = new UdpOverIp(0, 0, ip.Source, ip.Destination, ip.Bytes.Length - ip.Payload.Length, udp);
        return true;
    }
}
