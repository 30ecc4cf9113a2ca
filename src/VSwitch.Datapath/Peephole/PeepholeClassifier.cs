using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using VSwitch.Datapath.Frames;

namespace VSwitch.Datapath.Peephole;

/// <summary>Which responder, if any, should look at a frame.</summary>
public enum Candidate : byte
{
    None,
    Arp,
    Neighbor,
    Dns,
    Dhcp,
    /// <summary>A Router Advertisement: watched (its router learned), never answered.</summary>
    RouterAdvertisement,
}

/// <summary>
/// The peephole's first look at a frame: a handful of byte reads that send ordinary traffic on
/// its way and pick the responder for the rest.
/// </summary>
/// <remarks>This is the whole cost of the peephole for traffic that is not a query, so it reads
/// fixed offsets and validates nothing; the responder validates everything before answering.
/// It errs towards "candidate": an IPv6 extension header (hop-by-hop, fragment) goes to the
/// responder, which decides.</remarks>
public static class PeepholeClassifier
{
    private const int L3 = EthernetFrame.HeaderLength;
    private const byte Ipv6Fragment = 44;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Candidate Classify(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < L3 + 20) return frame.Length >= L3 && Type(frame) == EtherType.Arp ? Candidate.Arp : Candidate.None;
        switch (Type(frame))
        {
            case EtherType.Arp:
                return Candidate.Arp;
            case EtherType.IPv4:
                byte protocol = frame[L3 + 9];
                if (protocol is not (IpProtocol.Udp or IpProtocol.Tcp)) return Candidate.None;
                int l4 = L3 + (frame[L3] & 0xF) * 4;
                if ((uint)(l4 + 4) > (uint)frame.Length) return Candidate.None;
                ushort port = BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 2)..]);
                return port == 53 ? Candidate.Dns : port == 67 && protocol == IpProtocol.Udp ? Candidate.Dhcp : Candidate.None;
            case EtherType.IPv6:
                if (frame.Length < L3 + 40 + 4) return Candidate.None;
                return frame[L3 + 6] switch
                {
                    IpProtocol.IcmpV6 => frame[L3 + 40] switch
                    {
                        Icmpv6Message.NeighborSolicitation => Candidate.Neighbor,
                        Icmpv6Message.RouterAdvertisement => Candidate.RouterAdvertisement,
                        _ => Candidate.None,
                    },
                    IpProtocol.Udp or IpProtocol.Tcp => IsPort53(frame, L3 + 40) ? Candidate.Dns : Candidate.None,
                    IpProtocol.HopByHop => Candidate.Neighbor,
                    Ipv6Fragment => Candidate.Dns,
                    _ => Candidate.None,
                };
            default:
                return Candidate.None;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort Type(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsPort53(ReadOnlySpan<byte> frame, int l4) =>
        (uint)(l4 + 4) <= (uint)frame.Length && BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 2)..]) == 53;
}
