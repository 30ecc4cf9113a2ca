using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Counters;

namespace VSwitch.Datapath.Peephole.Arp;

/// <summary>
/// Answers ARP requests (RFC 826) for IPv4 addresses in the neighbour table, in place.
/// </summary>
/// <remarks>
/// <para>The reply is the request's own buffer rewritten: Ethernet to the asker from the table
/// MAC, ARP opcode 2 with the table's MAC and address as sender and the asker as target. A probe
/// (sender address 0.0.0.0, RFC 5227) for a table address is answered the same way, which is
/// what the address's defender sends: target address 0.0.0.0, so the prober sees its address is taken.</para>
/// <para>Never answered: gratuitous ARP (an announcement), and any request whose sender MAC is
/// the table's MAC for the address, since telling a host that its own address is taken would
/// make it give the address up.</para>
/// </remarks>
public static class ArpResponder
{
    /// <summary>The reply's length: an Ethernet header and an ARP packet, no padding.</summary>
    public const int ReplyLength = EthernetFrame.HeaderLength + ArpPacket.Length;

    /// <summary>Answers the ARP frame in <paramref name="buffer"/> (<paramref name="length"/> bytes) if it may.</summary>
    /// <returns>The outcome to count, or null when the frame is not an ARP request at all (a reply, another hardware type).</returns>
    public static ArpOutcome? TryAnswer(Span<byte> buffer, int length, PeepholeTables tables, out int replyLength)
    {
        replyLength = 0;
        ParseResult parsed = ArpPacket.TryRead(buffer[EthernetFrame.HeaderLength..length], out ArpPacket arp);
        if (parsed == ParseResult.Unsupported) return null;
        if (parsed != ParseResult.Ok) return ArpOutcome.Malformed;
        if (arp.Operation != ArpPacket.Request) return null;

        ulong asker = arp.SenderMac;
        if (asker != MacAddress.Read(buffer[6..]) || MacAddress.IsMulticast(asker) || asker == 0) return ArpOutcome.Malformed;
        uint askerIp = arp.SenderIPv4, target = arp.TargetIPv4;
        if (askerIp == target) return ArpOutcome.Gratuitous;
        if (!tables.TryGetNeighbor(target, out ulong owner)) return ArpOutcome.NotInTable;
        if (owner == asker) return ArpOutcome.OwnAddress;

        EthernetWriter.TryCreate(buffer, out EthernetWriter ethernet);
        ethernet.WriteHeader(asker, owner, EtherType.Arp);
        ArpWriter.TryCreate(buffer.Slice(EthernetFrame.HeaderLength, ArpPacket.Length), out ArpWriter writer);
        writer.Write(ArpPacket.Reply, owner, target, asker, askerIp);
        replyLength = ReplyLength;
        return ArpOutcome.Replied;
    }
}
