using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;

namespace VSwitch.Tests.Scenarios;

/// <summary>DHCP messages written field by field from RFC 2131 and 2132, for scenarios.</summary>
/// <remarks>The scenarios' own model of the wire format, independent of the switch's writer;
/// replies are also decoded by PacketDotNet in the cross-check tests.</remarks>
public static class TestDhcp
{
    public const byte Discover = 1, Offer = 2, Request = 3, Decline = 4, Ack = 5, Nak = 6, Release = 7, Inform = 8;

    /// <summary>A BOOTP message: fixed fields, the magic cookie, then <paramref name="options"/> as written (END included by the caller's choice).</summary>
    public static byte[] Message(byte op, uint xid, ushort flags, string ciaddr, string yiaddr, string giaddr, PhysicalAddress chaddr, byte[] options, int padTo = 0)
    {
        var m = new byte[Math.Max(240 + options.Length, padTo)];
        m[0] = op;
        m[1] = 1;
        m[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(4), xid);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(10), flags);
        IPAddress.Parse(ciaddr).GetAddressBytes().CopyTo(m, 12);
        IPAddress.Parse(yiaddr).GetAddressBytes().CopyTo(m, 16);
        IPAddress.Parse(giaddr).GetAddressBytes().CopyTo(m, 24);
        chaddr.GetAddressBytes().CopyTo(m, 28);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(236), 0x63825363);
        options.CopyTo(m, 240);
        return m;
    }

    public static byte[] Options(params byte[][] options) => [.. options.SelectMany(o => o)];

    public static byte[] Type(byte type) => [53, 1, type];
    public static byte[] Address(byte code, string address) => [code, 4, .. IPAddress.Parse(address).GetAddressBytes()];
    public static byte[] Seconds(byte code, uint value) => [code, 4, (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
    public static byte[] Text(byte code, string text) => [code, (byte)text.Length, .. Encoding.ASCII.GetBytes(text)];
    public static byte[] ParameterList(params byte[] codes) => [55, (byte)codes.Length, .. codes];
    public static readonly byte[] End = [255];

    /// <summary>A client message as a frame: UDP 68 to 67 from <paramref name="srcIp"/> to <paramref name="dstIp"/>.</summary>
    public static byte[] ClientFrame(PhysicalAddress client, PhysicalAddress dstMac, string srcIp, string dstIp, byte[] message) =>
        PeepholeFrames.Udp4(client, dstMac, srcIp, dstIp, 68, 67, message, ttl: 64, dontFragment: false);

    /// <summary>A server reply as the switch must send it: UDP 67 to 68, TTL 64, ID 0, DF.</summary>
    public static byte[] ServerFrame(PhysicalAddress serverMac, PhysicalAddress dstMac, string serverIp, string dstIp, byte[] message) =>
        PeepholeFrames.Udp4(serverMac, dstMac, serverIp, dstIp, 67, 68, message);
}
