using System.Buffers.Binary;
using System.Net;
using System.Text;
using VSwitch.Memif.Client;

// MemifResolve: attach to a VSwitch memif port and ask the switch's DNS peephole for a name.
//
//   vswitchd --port memif:/run/vswitch/memif.sock --hosts /etc/vswitch/hosts &
//   MemifResolve /run/vswitch/memif.sock 0 web.cluster.local [DNS-SERVER-IP] [OUR-IP]
//
// Sends one IPv4/UDP DNS query (type A) from a made-up host (02:00:00:00:00:99, OUR-IP, default
// 198.18.0.99) to DNS-SERVER-IP (default 198.18.0.53) and prints the addresses in the answer.
// The frames are built and read here by hand to keep the sample to the client library alone.

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: MemifResolve SOCKET ID NAME [DNS-SERVER-IP] [OUR-IP]");
    return 2;
}
string socket = args[0];
uint id = uint.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
string name = args[2];
IPAddress server = IPAddress.Parse(args.Length > 3 ? args[3] : "198.18.0.53");
IPAddress us = IPAddress.Parse(args.Length > 4 ? args[4] : "198.18.0.99");
byte[] ourMac = [0x02, 0, 0, 0, 0, 0x99];

using MemifClient client = MemifClient.Connect(socket, id, "memif-resolve");
Console.WriteLine($"connected to {client.PeerName} (rings of {client.RingSize} slots, {client.BufferSize}-byte buffers)");

ushort queryId = (ushort)Random.Shared.Next(1, 65535);
if (!client.Send(Query(ourMac, us, server, queryId, name)))
{
    Console.Error.WriteLine("the ring is full");
    return 1;
}
var deadline = DateTime.UtcNow.AddSeconds(3);
while (DateTime.UtcNow < deadline)
{
    byte[]? frame = client.Receive(TimeSpan.FromMilliseconds(100));
    if (frame is null || !TryReadAnswer(frame, queryId, out List<IPAddress> addresses, out int rcode)) continue;
    if (rcode != 0) Console.WriteLine($"{name}: rcode {rcode}");
    foreach (IPAddress a in addresses) Console.WriteLine($"{name} has address {a}");
    return addresses.Count > 0 ? 0 : 1;
}
Console.Error.WriteLine("no answer (is there a hosts table, and a DNS server address the switch answers for?)");
return 1;

static byte[] Query(byte[] mac, IPAddress from, IPAddress to, ushort queryId, string name)
{
    var dns = new List<byte> { (byte)(queryId >> 8), (byte)queryId, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
    foreach (string label in name.TrimEnd('.').Split('.'))
    {
        dns.Add((byte)label.Length);
        dns.AddRange(Encoding.ASCII.GetBytes(label));
    }
    dns.AddRange([0, 0, 1, 0, 1]);  // root, type A, class IN
    int udpLength = 8 + dns.Count, ipLength = 20 + udpLength;
    var f = new byte[14 + ipLength];
    // Any unicast MAC will do (the peephole answers in place, swapping the addresses); it refuses
    // queries to broadcast and multicast MACs, as a resolver never sends those.
    byte[] serverMac = [0x02, 0, 0, 0, 0, 0x53];
    serverMac.CopyTo(f, 0);
    mac.CopyTo(f, 6);
    BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
    Span<byte> ip = f.AsSpan(14, 20);
    ip[0] = 0x45;
    BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
    ip[8] = 64;
    ip[9] = 17;
    from.TryWriteBytes(ip[12..], out _);
    to.TryWriteBytes(ip[16..], out _);
    BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));
    Span<byte> udp = f.AsSpan(34);
    BinaryPrimitives.WriteUInt16BigEndian(udp, 40053);
    BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 53);
    BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
    dns.ToArray().CopyTo(udp[8..]);
    return f;  // UDP checksum 0: none, which IPv4 allows
}

static ushort Checksum(ReadOnlySpan<byte> header)
{
    uint sum = 0;
    for (int i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
    while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
    return (ushort)~sum;
}

// A DNS reply to our query: the A records of the answer section (compressed names skipped).
static bool TryReadAnswer(byte[] f, ushort queryId, out List<IPAddress> addresses, out int rcode)
{
    addresses = [];
    rcode = -1;
    if (f.Length < 14 + 20 + 8 + 12 || BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(12)) != 0x0800 || f[23] != 17) return false;
    int ihl = (f[14] & 0x0F) * 4;
    int udp = 14 + ihl;
    if (f.Length < udp + 8 + 12 || BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(udp)) != 53) return false;
    ReadOnlySpan<byte> dns = f.AsSpan(udp + 8);
    if (BinaryPrimitives.ReadUInt16BigEndian(dns) != queryId || (dns[2] & 0x80) == 0) return false;
    rcode = dns[3] & 0x0F;
    int answers = BinaryPrimitives.ReadUInt16BigEndian(dns[6..]);
    int at = 12;
    while (at < dns.Length && dns[at] != 0) at += dns[at] + 1;  // the question name
    at += 5;
    for (int i = 0; i < answers && at + 12 <= dns.Length; i++)
    {
        at += (dns[at] & 0xC0) == 0xC0 ? 2 : SkipName(dns, at);
        if (at + 10 > dns.Length) break;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(dns[at..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(dns[(at + 8)..]);
        at += 10;
        if (at + length > dns.Length) break;
        if (type == 1 && length == 4) addresses.Add(new IPAddress(dns.Slice(at, 4)));
        at += length;
    }
    return true;
}

static int SkipName(ReadOnlySpan<byte> dns, int at)
{
    int start = at;
    while (at < dns.Length && dns[at] != 0 && (dns[at] & 0xC0) != 0xC0) at += dns[at] + 1;
    return at - start + ((at < dns.Length && (dns[at] & 0xC0) == 0xC0) ? 2 : 1);
}
