namespace VSwitch.Datapath.Frames;

/// <summary>Writes the Ethernet, IP and UDP headers of a reply whose UDP payload is already in place.</summary>
/// <remarks>
/// A responder writes its message at <see cref="IPv4PayloadOffset"/> or <see cref="IPv6PayloadOffset"/>
/// (plain headers, no options), then calls one of these, which fills the headers in front of it
/// and the UDP checksum over it. Both return false, and write nothing, when the frame cannot hold
/// the reply; a responder counts that rather than send a frame with headers missing.
/// </remarks>
public static class UdpReplyWriter
{
    public const int IPv4PayloadOffset = EthernetFrame.HeaderLength + Ipv4Header.MinimumHeaderLength + UdpDatagram.HeaderLength;
    public const int IPv6PayloadOffset = EthernetFrame.HeaderLength + Ipv6Header.HeaderLength + UdpDatagram.HeaderLength;

    /// <returns>False when <paramref name="frame"/> is too short for the headers and
    /// <paramref name="payloadLength"/> bytes, or the datagram too long for IPv4.</returns>
    public static bool TryWriteIPv4(Span<byte> frame, ulong destinationMac, ulong sourceMac, uint source, uint destination,
        ushort sourcePort, ushort destinationPort, int payloadLength, out int frameLength)
    {
        frameLength = IPv4PayloadOffset + payloadLength;
        if (payloadLength < 0 || frameLength > frame.Length) return false;
        Span<byte> packet = frame[EthernetFrame.HeaderLength..frameLength];
        if (!EthernetWriter.TryCreate(frame, out EthernetWriter ethernet)
            || !Ipv4HeaderWriter.TryCreate(packet, out Ipv4HeaderWriter ip)
            || !UdpWriter.TryCreate(packet[Ipv4Header.MinimumHeaderLength..], out UdpWriter udp))
            return false;
        ethernet.WriteHeader(destinationMac, sourceMac, EtherType.IPv4);
        ip.WriteHeader(IpProtocol.Udp, source, destination, ttl: 64);
        udp.WriteHeader(sourcePort, destinationPort);
        udp.WriteChecksumIPv4(source, destination);
        return true;
    }

    /// <summary>As <see cref="TryWriteIPv4"/>, over IPv6; the addresses are 16 bytes each, and must
    /// not lie in the frame's old headers (copy them out first: the new headers overwrite those).</summary>
    public static bool TryWriteIPv6(Span<byte> frame, ulong destinationMac, ulong sourceMac, ReadOnlySpan<byte> source,
        ReadOnlySpan<byte> destination, ushort sourcePort, ushort destinationPort, int payloadLength, out int frameLength)
    {
        frameLength = IPv6PayloadOffset + payloadLength;
        if (payloadLength < 0 || frameLength > frame.Length) return false;
        Span<byte> packet = frame[EthernetFrame.HeaderLength..frameLength];
        if (!EthernetWriter.TryCreate(frame, out EthernetWriter ethernet)
            || !Ipv6HeaderWriter.TryCreate(packet, out Ipv6HeaderWriter ip)
            || !UdpWriter.TryCreate(packet[Ipv6Header.HeaderLength..], out UdpWriter udp))
            return false;
        ethernet.WriteHeader(destinationMac, sourceMac, EtherType.IPv6);
        ip.WriteHeader(IpProtocol.Udp, source, destination, hopLimit: 64);
        udp.WriteHeader(sourcePort, destinationPort);
        udp.WriteChecksumIPv6(source, destination);
        return true;
    }
}
