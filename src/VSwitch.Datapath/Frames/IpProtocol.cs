namespace VSwitch.Datapath.Frames;

/// <summary>IP protocol numbers (IPv4 Protocol, IPv6 Next Header) the datapath looks at (IANA registry).</summary>
/// <remarks>One table serves both IP versions because IANA keeps one registry for both fields.</remarks>
public static class IpProtocol
{
    /// <summary>IPv6 Hop-by-Hop Options; only meaningful as the first IPv6 Next Header.</summary>
    public const byte HopByHop = 0;
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte IcmpV6 = 58;
}
