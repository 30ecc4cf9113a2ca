using System.Buffers.Binary;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Tenancy;
using VSwitch.Datapath.Counters;

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
/// REQUEST that selects another server's offer, and any message unicast to an address other than
/// the scope's server identifier (a client renewing with another server), is left to that server.
/// INFORM gets an ACK with options and no lease. RELEASE is counted and forwarded. DECLINE is
/// counted and forwarded, and the declined address is not offered to that client again for ten
/// minutes (<see cref="DeclinedLeases"/>). A relayed message (giaddr set), a client the table
/// does not know, option overload, and anything malformed are forwarded, so a real DHCP server
/// elsewhere still serves them.</para>
/// <para>Replies follow RFC 2131 4.1: NAK broadcast; to ciaddr when the client has an address;
/// broadcast when the BROADCAST flag is set; otherwise unicast to yiaddr and chaddr. Options:
/// message type, server identifier, lease, T1 and T2 (none for an infinite lease), the client
/// identifier echoed unaltered (RFC 6842), then those the client asked for (option 55) in its
/// order, except that the subnet mask always precedes the router (RFC 2132 3.3). The whole IP
/// datagram stays within the client's maximum message size (option 57, at least 576) and the
/// port's MTU: a requested option that would not fit is left out, as dnsmasq does.</para>
/// </remarks>
public static class DhcpResponder
{
    public const ushort ServerPort = 67, ClientPort = 68;
    private const int DhcpOffset = UdpReplyWriter.IPv4PayloadOffset;
    private const int MinimumMessage = 300;   // BOOTP's size, which some clients still expect

    /// <returns>The outcome to count, or null when the frame is not a DHCP client message this VLAN serves.</returns>
    public static DhcpOutcome? TryAnswer(Span<byte> buffer, int length, FrameFlags flags, int mtu, ushort vlan, PeepholeTables tables,
        DeclinedLeases declines, long now, out int replyLength)
    {
        replyLength = 0;
        DhcpScope? scope = tables.DhcpScopeFor(vlan);
        if (scope is null) return null;
        if (Ipv4Header.TryRead(buffer[EthernetFrame.HeaderLength..length], out Ipv4Header ip) != ParseResult.Ok || ip.Protocol != IpProtocol.Udp) return null;
        if (ip.FragmentOffset != 0) return null;
        if (ip.MoreFragments) return DhcpOutcome.TooBigOrFragment;
        // The classifier sent only UDP to port 67 here.
        if (!UdpOverIp.TryRead(ip, (flags & FrameFlags.ChecksumPartial) != 0, out UdpOverIp udp)) return DhcpOutcome.Malformed;
        if (udp.Udp.DestinationPort != ServerPort) return null;
        if (!DhcpMessage.TryRead(udp.Udp.Payload, out DhcpMessage message)) return DhcpOutcome.Malformed;
        if (message.RelayAddress != 0) return DhcpOutcome.NotForUs;
        if (message.HasOverload) return DhcpOutcome.Unsupported;
        if (!tables.TryGetLease(message.ClientMac, scope, out uint lease)) return DhcpOutcome.NotInTable;
        // Unicast to another address: a client renewing with (or informing) another server.
        uint to = ip.Destination;
        if (to != 0xFFFF_FFFF && to != scope.Broadcast && to != scope.ServerId) return DhcpOutcome.NotForUs;
        ulong clientMac = MacAddress.Read(message.ClientMac);

        byte reply;
        DhcpOutcome outcome;
        switch (message.MessageType)
        {
            case DhcpMessage.Discover:
                if (declines.IsHeldBack(clientMac, lease, now)) return DhcpOutcome.HeldBack;
                (reply, outcome) = (DhcpMessage.Offer, DhcpOutcome.Offered);
                break;
            case DhcpMessage.Request:
                uint asked = message.HasServerId || message.RequestedAddress != 0 ? message.RequestedAddress : message.ClientAddress;
                if (message.HasServerId && message.ServerId != scope.ServerId) return DhcpOutcome.NotForUs;
                if (asked == 0) return DhcpOutcome.Malformed;
                if (asked == lease && declines.IsHeldBack(clientMac, lease, now)) return DhcpOutcome.HeldBack;
                (reply, outcome) = asked == lease ? (DhcpMessage.Ack, DhcpOutcome.Acked) : (DhcpMessage.Nak, DhcpOutcome.Naked);
                break;
            case DhcpMessage.Inform:
                if (message.ClientAddress == 0) return DhcpOutcome.Malformed;
                (reply, outcome) = (DhcpMessage.Ack, DhcpOutcome.Informed);
                break;
            case DhcpMessage.Release:
                return DhcpOutcome.Released;
            case DhcpMessage.Decline:
                if (message.HasServerId && message.ServerId != scope.ServerId) return DhcpOutcome.NotForUs;
                // Only our own offer's address is ours to hold back; the client is told nothing (RFC 2131 4.3.3).
                if (message.RequestedAddress == lease) declines.Add(clientMac, lease, now);
                return DhcpOutcome.Declined;
            default:
                return DhcpOutcome.Unsupported;
        }

        // Everything the reply needs from the request, before the buffer is overwritten.
        uint xid = message.TransactionId, ciaddr = message.ClientAddress;
        ushort requestFlags = message.Flags;
        bool broadcastFlag = message.BroadcastFlag;
        // Option 57 and the MTU bound the whole IP datagram; the DHCP message gets what the headers leave.
        int limit = Math.Min(message.MaxMessageSize, mtu) - Ipv4Header.MinimumHeaderLength - UdpDatagram.HeaderLength;
        Span<byte> wanted = stackalloc byte[255];
        message.ParameterList.CopyTo(wanted);
        wanted = wanted[..message.ParameterCount];
        Span<byte> clientId = stackalloc byte[255];
        message.ClientId.CopyTo(clientId);
        clientId = clientId[..message.ClientIdLength];
        bool hasClientId = message.HasClientId;

        uint yiaddr = reply == DhcpMessage.Nak || outcome == DhcpOutcome.Informed ? 0 : lease;
        Span<byte> dhcp = buffer[DhcpOffset..];
        if (dhcp.Length < 1024) return DhcpOutcome.TooBigOrFragment;
        if (limit < MinimumMessage) return DhcpOutcome.TooBigOrFragment;
        int dhcpLength = WriteMessage(dhcp, limit, reply, outcome, xid, requestFlags, ciaddr, yiaddr, clientMac, scope, wanted,
            hasClientId, clientId);

        // RFC 2131 4.1: where the reply goes.
        bool broadcast = reply == DhcpMessage.Nak || (ciaddr == 0 && broadcastFlag);
        uint destination = broadcast ? 0xFFFF_FFFF : ciaddr != 0 ? ciaddr : yiaddr;
        ulong destinationMac = broadcast ? MacAddress.Broadcast : clientMac;
        ulong serverMac = tables.TryGetNeighbor(scope.ServerId, out ulong known) ? known : DhcpScope.DefaultServerMac;

        // The message was written within the buffer, so the headers fit; checked all the same.
        if (!UdpReplyWriter.TryWriteIPv4(buffer, destinationMac, serverMac, scope.ServerId, destination, ServerPort, ClientPort, dhcpLength, out replyLength))
        {
            replyLength = 0;
            return DhcpOutcome.TooBigOrFragment;
        }
        return outcome;
    }

    // Writes the reply message within limit bytes. What is always written (fixed fields, type,
    // server identifier, lease times, a client identifier of at most 255 bytes, END) takes at most
    // 240 + 27 + 257 + 1 = 525 bytes, under the 548 that the smallest limit (576) leaves.
    private static int WriteMessage(Span<byte> m, int limit, byte type, DhcpOutcome outcome, uint xid, ushort flags, uint ciaddr, uint yiaddr,
        ulong clientMac, DhcpScope scope, ReadOnlySpan<byte> wanted, bool hasClientId, ReadOnlySpan<byte> clientId)
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
        if (type != DhcpMessage.Nak && outcome != DhcpOutcome.Informed)
        {
            // RFC 2131: an INFORM's ACK carries no lease; an infinite lease has no renewal times (RFC 2132 9.11).
            i = Option32(m, i, DhcpMessage.OptLeaseTime, scope.LeaseSeconds);
            if (!scope.IsInfinite)
            {
                i = Option32(m, i, DhcpMessage.OptRenewalTime, scope.LeaseSeconds / 2);
                i = Option32(m, i, DhcpMessage.OptRebindingTime, (uint)(scope.LeaseSeconds * 7UL / 8));
            }
        }
        // RFC 6842: the client identifier goes back unaltered, in every reply, the NAK included.
        if (hasClientId) i = OptionBytes(m, i, DhcpMessage.OptClientId, clientId);
        if (type != DhcpMessage.Nak)
        {
            ReadOnlySpan<byte> order = wanted.IsEmpty ? Defaults : wanted;
            Span<bool> sent = stackalloc bool[256];
            // RFC 2132 3.3: the subnet mask must come before the router, whatever the client's order.
            if (order.Contains(DhcpMessage.OptSubnetMask)) i = Requested(m, i, limit, DhcpMessage.OptSubnetMask, scope, sent);
            foreach (byte code in order) i = Requested(m, i, limit, code, scope, sent);
        }
        m[i++] = DhcpMessage.OptEnd;
        if (i < MinimumMessage)
        {
            m[i..MinimumMessage].Clear();
            i = MinimumMessage;
        }
        return i;
    }

    // One requested option, once, if the scope has a value for it and it fits with room for END.
    private static int Requested(Span<byte> m, int i, int limit, byte code, DhcpScope scope, Span<bool> sent)
    {
        if (sent[code]) return i;
        sent[code] = true;
        int length = code switch
        {
            DhcpMessage.OptSubnetMask or DhcpMessage.OptBroadcast => 4,
            DhcpMessage.OptRouter when scope.Router is not null => 4,
            DhcpMessage.OptDns when scope.Dns is not null => 4,
            DhcpMessage.OptDomainName when scope.DomainBytes.Length > 0 => scope.DomainBytes.Length,
            DhcpMessage.OptInterfaceMtu when scope.Mtu is not null => 2,
            _ => -1,
        };
        if (length < 0 || i + 2 + length + 1 > limit) return i;
        return code switch
        {
            DhcpMessage.OptSubnetMask => Option32(m, i, code, scope.Mask),
            DhcpMessage.OptRouter => Option32(m, i, code, scope.Router!.Value),
            DhcpMessage.OptDns => Option32(m, i, code, scope.Dns!.Value),
            DhcpMessage.OptBroadcast => Option32(m, i, code, scope.Broadcast),
            DhcpMessage.OptInterfaceMtu => Option16(m, i, code, scope.Mtu!.Value),
            _ => OptionBytes(m, i, code, scope.DomainBytes),
        };
    }

    // Sent to a client that gives no parameter request list (the MTU only when the scope sets one).
    private static ReadOnlySpan<byte> Defaults =>
        [DhcpMessage.OptSubnetMask, DhcpMessage.OptRouter, DhcpMessage.OptDns, DhcpMessage.OptDomainName, DhcpMessage.OptInterfaceMtu];

    private static int Option(Span<byte> m, int i, byte code, byte value)
    {
        m[i] = code;
        m[i + 1] = 1;
        m[i + 2] = value;
        return i + 3;
    }

    private static int Option16(Span<byte> m, int i, byte code, ushort value)
    {
        m[i] = code;
        m[i + 1] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(m[(i + 2)..], value);
        return i + 4;
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
