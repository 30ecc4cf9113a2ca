using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Tables;

namespace VSwitch.Datapath.Peephole.Dhcp;

/// <summary>
/// Answers DHCPv4 (RFC 2131) for clients the ethers table knows, with static leases, the way
/// dnsmasq's read-ethers does, but inside the forwarding path.
/// </summary>
/// <remarks>
/// <para>DISCOVER gets an OFFER of the client's table address; REQUEST gets an ACK when it asks
/// for that address (SELECTING this server, INIT-REBOOT, RENEWING, REBINDING) and a NAK when it
/// asks for another one; we NAK rather than stay silent because the table is the authority for
/// this MAC and a client holding a wrong address should restart at once (RFC 2131 4.3.2). A
/// REQUEST that selects another server's offer is left alone. INFORM gets an ACK with options and
/// no lease. RELEASE and DECLINE are counted and forwarded. A relayed message (giaddr set), a
/// client the table does not know, option overload, and anything malformed are forwarded, so a
/// real DHCP server elsewhere still serves them.</para>
/// <para>Replies follow RFC 2131 4.1: NAK broadcast; to ciaddr when the client has an address;
/// broadcast when the BROADCAST flag is set; otherwise unicast to yiaddr and chaddr. Options:
/// message type, server identifier, lease, T1, T2, then those the client asked for (option 55)
/// in its order, within its maximum message size (option 57) and the port's MTU.</para>
/// </remarks>
public static class DhcpResponder
{
    public const ushort ServerPort = 67, ClientPort = 68;
    private const int DhcpOffset = EthernetFrame.HeaderLength + Ipv4Header.MinimumHeaderLength + UdpDatagram.HeaderLength;
    private const int MinimumMessage = 300;   // BOOTP's size, which some clients still expect

    /// <returns>The outcome to count, or null when the frame is not a DHCP client message this VLAN serves.</returns>
    public static DhcpOutcome? TryAnswer(Span<byte> buffer, int length, FrameFlags flags, int mtu, ushort vlan, PeepholeTables tables, out int replyLength)
    {
        replyLength = 0;
        DhcpScope? scope = tables.DhcpScopeFor(vlan);
        if (scope is null) return null;
        if (Ipv4Header.TryRead(buffer[EthernetFrame.HeaderLength..length], out Ipv4Header ip) != ParseResult.Ok || ip.Protocol != IpProtocol.Udp) return null;
        if (ip.FragmentOffset != 0) return null;
        if (ip.MoreFragments) return DhcpOutcome.TooBigOrFragment;
        if (!ip.HasValidChecksum() || UdpDatagram.TryRead(ip.Payload, out UdpDatagram udp) != ParseResult.Ok) return DhcpOutcome.Malformed;
        if (udp.DestinationPort != ServerPort) return null;
        if ((flags & FrameFlags.ChecksumPartial) == 0 && !udp.HasValidChecksumIPv4(ip.Source, ip.Destination)) return DhcpOutcome.Malformed;
        if (!DhcpMessage.TryRead(udp.Payload, out DhcpMessage message)) return DhcpOutcome.Malformed;
        if (message.RelayAddress != 0) return DhcpOutcome.NotForUs;
        if (message.HasOverload) return DhcpOutcome.Unsupported;
        if (!tables.TryGetLease(message.ClientMac, scope, out uint lease)) return DhcpOutcome.NotInTable;

        byte reply;
        DhcpOutcome outcome;
        switch (message.MessageType)
        {
            case DhcpMessage.Discover:
                (reply, outcome) = (DhcpMessage.Offer, DhcpOutcome.Offered);
                break;
            case DhcpMessage.Request:
                uint asked = message.HasServerId || message.RequestedAddress != 0 ? message.RequestedAddress : message.ClientAddress;
                if (message.HasServerId && message.ServerId != scope.ServerId) return DhcpOutcome.NotForUs;
                if (asked == 0) return DhcpOutcome.Malformed;
                (reply, outcome) = asked == lease ? (DhcpMessage.Ack, DhcpOutcome.Acked) : (DhcpMessage.Nak, DhcpOutcome.Naked);
                break;
            case DhcpMessage.Inform:
                if (message.ClientAddress == 0) return DhcpOutcome.Malformed;
                (reply, outcome) = (DhcpMessage.Ack, DhcpOutcome.Informed);
                break;
            case DhcpMessage.Release:
                return DhcpOutcome.Released;
            case DhcpMessage.Decline:
                return DhcpOutcome.Declined;
            default:
                return DhcpOutcome.Unsupported;
        }

        // Everything the reply needs from the request, before the buffer is overwritten.
        uint xid = message.TransactionId, ciaddr = message.ClientAddress;
        ushort requestFlags = message.Flags;
        bool broadcastFlag = message.BroadcastFlag;
        ulong clientMac = MacAddress.Read(message.ClientMac);
        int limit = Math.Min(message.MaxMessageSize, mtu - Ipv4Header.MinimumHeaderLength - UdpDatagram.HeaderLength);
        Span<byte> wanted = stackalloc byte[255];
        message.ParameterList.CopyTo(wanted);
        wanted = wanted[..message.ParameterCount];

        uint yiaddr = reply == DhcpMessage.Nak || outcome == DhcpOutcome.Informed ? 0 : lease;
        Span<byte> dhcp = buffer[DhcpOffset..];
        if (dhcp.Length < 1024) return DhcpOutcome.TooBigOrFragment;
        int dhcpLength = WriteMessage(dhcp, reply, outcome, xid, requestFlags, ciaddr, yiaddr, clientMac, scope, wanted);
        if (dhcpLength > limit) return DhcpOutcome.TooBigOrFragment;

        // RFC 2131 4.1: where the reply goes.
        bool broadcast = reply == DhcpMessage.Nak || (ciaddr == 0 && broadcastFlag);
        uint destination = broadcast ? 0xFFFF_FFFF : ciaddr != 0 ? ciaddr : yiaddr;
        ulong destinationMac = broadcast ? MacAddress.Broadcast : clientMac;
        ulong serverMac = tables.TryGetNeighbor(scope.ServerId, out ulong known) ? known : DhcpScope.DefaultServerMac;

        EthernetWriter.TryCreate(buffer, out EthernetWriter ethernet);
        ethernet.WriteHeader(destinationMac, serverMac, EtherType.IPv4);
        Span<byte> packet = buffer.Slice(EthernetFrame.HeaderLength, Ipv4Header.MinimumHeaderLength + UdpDatagram.HeaderLength + dhcpLength);
        Ipv4HeaderWriter.TryCreate(packet, out Ipv4HeaderWriter ipWriter);
        ipWriter.WriteHeader(IpProtocol.Udp, scope.ServerId, destination, ttl: 64);
        UdpWriter.TryCreate(packet[Ipv4Header.MinimumHeaderLength..], out UdpWriter udpWriter);
        udpWriter.WriteHeader(ServerPort, ClientPort);
        udpWriter.WriteChecksumIPv4(scope.ServerId, destination);
        replyLength = EthernetFrame.HeaderLength + packet.Length;
        return outcome;
    }

    private static int WriteMessage(Span<byte> m, byte type, DhcpOutcome outcome, uint xid, ushort flags, uint ciaddr, uint yiaddr,
        ulong clientMac, DhcpScope scope, ReadOnlySpan<byte> wanted)
    {
        m[..DhcpMessage.OptionsOffset].Clear();
        m[0] = DhcpMessage.BootReply;
        m[1] = 1;
        m[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(m[4..], xid);
        BinaryPrimitives.WriteUInt16BigEndian(m[10..], flags);
        if (type != DhcpMessage.Nak) BinaryPrimitives.WriteUInt32BigEndian(m[12..], ciaddr);
        BinaryPrimitives.WriteUInt32BigEndian(m[16..], yiaddr);
        MacAddress.Write(m[28..], clientMac);
        BinaryPrimitives.WriteUInt32BigEndian(m[DhcpMessage.FixedLength..], DhcpMessage.MagicCookie);

        int i = DhcpMessage.OptionsOffset;
        i = Option(m, i, DhcpMessage.OptMessageType, type);
        i = Option32(m, i, DhcpMessage.OptServerId, scope.ServerId);
        if (type != DhcpMessage.Nak)
        {
            if (outcome != DhcpOutcome.Informed)
            {
                // RFC 2131: an INFORM's ACK carries no lease.
                i = Option32(m, i, DhcpMessage.OptLeaseTime, scope.LeaseSeconds);
                i = Option32(m, i, DhcpMessage.OptRenewalTime, scope.LeaseSeconds / 2);
                i = Option32(m, i, DhcpMessage.OptRebindingTime, (uint)(scope.LeaseSeconds * 7UL / 8));
            }
            ReadOnlySpan<byte> order = wanted.IsEmpty ? Defaults : wanted;
            Span<bool> sent = stackalloc bool[256];
            foreach (byte code in order)
            {
                if (sent[code]) continue;
                sent[code] = true;
                i = code switch
                {
                    DhcpMessage.OptSubnetMask => Option32(m, i, code, scope.Mask),
                    DhcpMessage.OptRouter when scope.Router is uint r => Option32(m, i, code, r),
                    DhcpMessage.OptDns when scope.Dns is uint d => Option32(m, i, code, d),
                    DhcpMessage.OptBroadcast => Option32(m, i, code, scope.Broadcast),
                    DhcpMessage.OptDomainName when scope.DomainBytes.Length > 0 => OptionBytes(m, i, code, scope.DomainBytes),
                    _ => i,
                };
            }
        }
        m[i++] = DhcpMessage.OptEnd;
        if (i < MinimumMessage)
        {
            m[i..MinimumMessage].Clear();
            i = MinimumMessage;
        }
        return i;
    }

    // Sent to a client that gives no parameter request list.
    private static ReadOnlySpan<byte> Defaults => [DhcpMessage.OptSubnetMask, DhcpMessage.OptRouter, DhcpMessage.OptDns, DhcpMessage.OptDomainName];

    private static int Option(Span<byte> m, int i, byte code, byte value)
    {
        m[i] = code;
        m[i + 1] = 1;
        m[i + 2] = value;
        return i + 3;
    }

    private static int Option32(Span<byte> m, int i, byte code, uint value)
    {
        m[i] = code;
        m[i + 1] = 4;
        BinaryPrimitives.WriteUInt32BigEndian(m[(i + 2)..], value);
        return i + 6;
    }

    private static int OptionBytes(Span<byte> m, int i, byte code, ReadOnlySpan<byte> value)
    {
        m[i] = code;
        m[i + 1] = (byte)value.Length;
        value.CopyTo(m[(i + 2)..]);
        return i + 2 + value.Length;
    }
}
