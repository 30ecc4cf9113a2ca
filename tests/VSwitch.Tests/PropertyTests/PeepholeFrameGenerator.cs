using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using PacketDotNet;
using VSwitch.Tests.CrossCheck;
using VSwitch.Tests.Scenarios;
using VSwitch.Datapath.Buffers;

namespace VSwitch.Tests.PropertyTests;

/// <summary>
/// Seeded frames for the peephole: well-formed queries of every shape the responders meet, the
/// same queries mutated, and plain garbage.
/// </summary>
/// <remarks>
/// <para>Well-formed frames are DNS queries (A, AAAA, PTR and other types; names in the tables,
/// below and beside them, and far outside; mixed case; with and without EDNS0, options and odd
/// versions; over IPv4 with and without options and over IPv6 with and without a hop-by-hop
/// header; plus fragments, TCP, class CH, other opcodes and two questions), ARP requests and
/// replies, and neighbour solicitations including DAD probes.</para>
/// <para>Mutations flip bytes, cut the frame, add garbage, and rewrite length, count, flag and
/// protocol fields; most mutated frames then get their checksums recomputed so that the damage
/// reaches the DNS, ARP and ND readers instead of stopping at a checksum.</para>
/// <para>For each well-formed frame the generator also says whether the switch must answer it,
/// from what it built and the tables as <see cref="TableModel"/> reads them, so that a question
/// the responders forget to answer fails the test as surely as a wrong answer.</para>
/// </remarks>
internal sealed class PeepholeFrameGenerator(Random random, TableModel tables)
{
    private static readonly byte[] ServerMac = Mac("02:00:00:00:00:53");
    private static readonly byte[] BroadcastMac = Mac("ff:ff:ff:ff:ff:ff");
    private static readonly byte[][] ClientMacs = [Mac("02:00:00:00:00:0a"), Mac("02:00:00:00:00:0b"), Mac("02:00:00:00:00:0c")];
    private static readonly byte[] ServerIp4 = IPAddress.Parse("198.18.0.53").GetAddressBytes();
    private static readonly byte[] ServerIp6 = IPAddress.Parse("2001:db8::53").GetAddressBytes();
    private static readonly byte[] ClientIp6 = IPAddress.Parse("2001:db8::a").GetAddressBytes();

    private static readonly string[] InTable =
    [
        "web.cluster.local", "db.cluster.local", "api.svc.cluster.local", "many.cluster.local", "web", "v6only.example",
        "svc.cluster.local", "cluster.local",
    ];

    private static readonly string[] InZoneMissing = ["nope.cluster.local", "x.web.cluster.local", "a.b.c.cluster.local", "_srv._tcp.cluster.local"];

    private static readonly string[] Outside = ["example.org", "www.example.com", "cluster.local.example", "xcluster.local", "local", "example"];

    private static readonly string[] Reverse =
        new[] { "198.18.0.20", "198.18.0.21", "198.18.0.30", "198.18.1.7", "2001:db8::20", "2001:db8::40", "198.18.0.99", "2001:db8::99" }
            .Select(a => TableModel.ReverseName(IPAddress.Parse(a))).ToArray();

    /// <summary>The next frame, a short description of how it was made, and for a well-formed
    /// frame whether the switch must answer it (null for mutated and random frames).</summary>
    public (byte[] Frame, string Shape, bool? MustAnswer) Next()
    {
        int roll = random.Next(100);
        _advertised = null;
        if (roll < 55)
        {
            var wellFormed = WellFormed();
            if (_advertised == true) _router = RouterState.Learned;
            return wellFormed;
        }
        if (roll < 90)
        {
            var (frame, shape, _) = WellFormed();
            // A mutated advertisement may still be valid, and teach the switch its router.
            if (_advertised is not null && _router == RouterState.Unknown) _router = RouterState.Maybe;
            return (Mutate(frame, out string how), shape + " mutated " + how, null);
        }
        var (garbage, description) = Garbage();
        return (garbage, description, null);
    }

    private (byte[] Frame, string Shape, bool? MustAnswer) WellFormed()
    {
        int roll = random.Next(100);
        if (roll < 60) return DnsQuery();
        if (roll < 80) return ArpFrame();
        if (roll < 83) return RouterAdvertisement();
        return Solicitation();
    }

    // What the switch knows of the gateway fe80::1 (02:00:00:00:00:01, in the ethers table) as a
    // router: nothing, perhaps (a mutated advertisement went by), or surely (a valid one did).
    private enum RouterState { Unknown, Maybe, Learned }

    private RouterState _router;

    // Whether the frame being made is an advertisement, and a valid one.
    private bool? _advertised;

    private static readonly PhysicalAddress GatewayMac = TestFrames.Mac("02:00:00:00:00:01");
    private const string Gateway = "fe80::1";

    // A Router Advertisement from the gateway to all nodes: valid (RFC 4861 6.1.2), or one a host
    // would drop and the switch must not learn from (a global source, a hop limit under 255).
    private (byte[], string, bool?) RouterAdvertisement()
    {
        int roll = random.Next(100);
        string source = roll < 10 ? "2001:db8::1" : Gateway;
        byte hopLimit = roll is >= 10 and < 20 ? (byte)64 : (byte)255;
        _advertised = roll >= 20;
        byte[] frame = PeepholeFrames.RouterAdvertisement(GatewayMac, source, (ushort)random.Next(0, 9001), hopLimit);
        return (frame, $"ra from {source} hop {hopLimit}", false);
    }

    private (byte[], string, bool?) DnsQuery()
    {
        string name = PickName();
        ushort type = PickType(name);
        if (random.Next(100) < 40) name = MixCase(name);
        ushort cls = random.Next(100) switch { < 96 => 1, < 98 => 3, _ => 255 };
        ushort flags = (ushort)((random.Next(100) < 70 ? 0x0100 : 0) | (random.Next(100) < 10 ? 0x0010 : 0));
        if (random.Next(100) < 3) flags |= (ushort)(random.Next(1, 16) << 11);
        int questions = random.Next(100) < 3 ? 2 : 1;
        bool edns = random.Next(100) < 40;
        byte[] dns = TestDns.Query((ushort)random.Next(65536), name, type, cls, questions: questions, flagsOverride: flags);
        int questionEnd = dns.Length;
        if (edns) dns = WithOpt(dns);
        // A whole answer too big for the client's limit or the MTU is still an answer: TC=1 and the question.
        bool answerable = cls == 1 && (flags & 0x7800) == 0 && questions == 1 && Answerable(dns, questionEnd, type);
        // Now and then a source no real server answers (RFC 1122 3.2.1.3): never answered.
        bool martian = random.Next(100) < 4;

        string shape = $"dns {name} type {type} class {cls} flags {flags:x4}{(questions > 1 ? " qd=2" : "")}{(edns ? " edns" : "")}";
        byte[] client = ClientMacs[random.Next(ClientMacs.Length)];
        byte[] destination = random.Next(100) < 3 ? BroadcastMac : ServerMac;
        ushort port = (ushort)random.Next(1024, 65536);
        int transport = random.Next(100);
        if (transport < 72)
        {
            bool options = random.Next(100) < 8, moreFragments = random.Next(100) < 4, tcp = random.Next(100) < 4;
            byte[] source = martian ? Martian4[random.Next(Martian4.Length)] : [198, 18, 0, (byte)random.Next(11, 14)];
            byte[] frame = Ipv4(client, destination, port, dns, options, moreFragments, tcp, source);
            if (!tcp && random.Next(100) < 5) BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + (options ? 24 : 20) + 6), 0);
            return (frame, shape + $" ipv4{(options ? " options" : "")}{(moreFragments ? " mf" : "")}{(tcp ? " tcp" : "")}{(martian ? " martian" : "")}",
                answerable && !moreFragments && !tcp && destination == ServerMac && !martian);
        }
        bool hopByHop = random.Next(100) < 15, fragment = random.Next(100) < 8;
        byte[] source6 = martian ? Martian6[random.Next(Martian6.Length)] : ClientIp6;
        return (Ipv6(client, destination, port, dns, hopByHop, fragment, source6),
            shape + $" ipv6{(hopByHop ? " hbh" : "")}{(fragment ? " frag" : "")}{(martian ? " martian" : "")}",
            answerable && !fragment && destination == ServerMac && !martian);
    }

    private static readonly byte[][] Martian4 = [.. new[] { "0.0.0.0", "127.0.0.1", "224.0.0.251", "255.255.255.255" }.Select(a => IPAddress.Parse(a).GetAddressBytes())];
    private static readonly byte[][] Martian6 = [.. new[] { "::", "::1", "ff02::fb" }.Select(a => IPAddress.Parse(a).GetAddressBytes())];

    // Whether the switch answers the question (with records, a negative answer, BADVERS or, when
    // the whole answer does not fit, TC=1); false when the query must be forwarded.
    private bool Answerable(byte[] dns, int questionEnd, ushort type) =>
        (dns.Length > questionEnd && dns[questionEnd + 6] != 0) || tables.Expect(dns[12..(questionEnd - 4)], type) is not null;

    private string PickName() => random.Next(100) switch
    {
        < 45 => InTable[random.Next(InTable.Length)],
        < 60 => InZoneMissing[random.Next(InZoneMissing.Length)],
        < 65 => RandomLabel() + ".cluster.local",
        < 75 => Outside[random.Next(Outside.Length)],
        _ => Reverse[random.Next(Reverse.Length)],
    };

    private ushort PickType(string name)
    {
        if (name.EndsWith(".arpa", StringComparison.Ordinal) && random.Next(100) < 80) return TestDns.TypePtr;
        return random.Next(100) switch
        {
            < 35 => TestDns.TypeA,
            < 55 => TestDns.TypeAaaa,
            < 62 => TestDns.TypePtr,
            < 70 => TestDns.TypeSoa,
            < 80 => new[] { TestDns.TypeMx, TestDns.TypeTxt, TestDns.TypeNs }[random.Next(3)],
            < 90 => new ushort[] { TestDns.TypeAny, 252, 251, 128 }[random.Next(4)],
            _ => (ushort)random.Next(65536),
        };
    }

    private string RandomLabel()
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_";
        return new string(Enumerable.Range(0, random.Next(1, 20)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
    }

    private string MixCase(string name) =>
        new(name.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : c).ToArray());

    // EDNS0 OPT (RFC 6891): a payload size from small to large, mostly version 0, sometimes DO and a cookie option.
    private byte[] WithOpt(byte[] dns)
    {
        ushort size = new ushort[] { 0, 100, 512, 1232, 4096, (ushort)random.Next(65536) }[random.Next(6)];
        byte version = random.Next(100) < 12 ? (byte)random.Next(1, 256) : (byte)0;
        byte[] options = random.Next(100) < 20 ? [0, 10, 0, 8, .. RandomBytes(8)] : [];
        var opt = new List<byte> { 0, 0, 41, (byte)(size >> 8), (byte)size, 0, version, random.Next(100) < 30 ? (byte)0x80 : (byte)0, 0 };
        opt.Add((byte)(options.Length >> 8));
        opt.Add((byte)options.Length);
        opt.AddRange(options);
        byte[] message = [.. dns, .. opt];
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(10), 1);
        return message;
    }

    private byte[] Ipv4(byte[] client, byte[] destination, ushort port, byte[] dns, bool options, bool moreFragments, bool tcp, byte[] source)
    {
        int ihl = options ? 24 : 20;
        byte[] transport = tcp ? Tcp(port) : Udp(port, dns);
        var frame = new byte[14 + ihl + transport.Length];
        Ethernet(frame, client, destination, 0x0800);
        frame[14] = (byte)(0x40 | ihl / 4);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), (ushort)(ihl + transport.Length));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)random.Next(65536));
        frame[20] = moreFragments ? (byte)0x20 : (byte)0x40;
        frame[22] = 64;
        frame[23] = tcp ? (byte)6 : (byte)17;
        source.CopyTo(frame, 26);
        ServerIp4.CopyTo(frame, 30);
        if (options) frame.AsSpan(34, 4).Fill(1);   // four NOPs
        transport.CopyTo(frame, 14 + ihl);
        Wire.FixChecksums(frame);
        return frame;
    }

    private static byte[] Ipv6(byte[] client, byte[] destination, ushort port, byte[] dns, bool hopByHop, bool fragment, byte[] source)
    {
        byte[] udp = Udp(port, dns);
        // Next header 0 (hop-by-hop, one PadN option) and 44 (fragment, offset 0, more to come).
        byte[] extensions = [.. hopByHop ? new byte[] { (byte)(fragment ? 44 : 17), 0, 1, 4, 0, 0, 0, 0 } : [],
            .. fragment ? new byte[] { 17, 0, 0, 1, 0, 0, 0x12, 0x34 } : []];
        var frame = new byte[14 + 40 + extensions.Length + udp.Length];
        Ethernet(frame, client, destination, 0x86DD);
        frame[14] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)(extensions.Length + udp.Length));
        frame[20] = hopByHop ? (byte)0 : fragment ? (byte)44 : (byte)17;
        frame[21] = 64;
        source.CopyTo(frame, 22);
        ServerIp6.CopyTo(frame, 38);
        extensions.CopyTo(frame, 54);
        udp.CopyTo(frame, 54 + extensions.Length);
        Wire.FixChecksums(frame);
        return frame;
    }

    private static byte[] Udp(ushort port, byte[] payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, port);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), 53);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp, 8);
        return udp;
    }

    // A SYN to port 53 (checksum left zero: the responder never looks past the ports).
    private static byte[] Tcp(ushort port)
    {
        var tcp = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, port);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), 53);
        tcp[12] = 0x50;
        tcp[13] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
        return tcp;
    }

    private (byte[], string, bool?) ArpFrame()
    {
        string[] senders = ["02:00:00:00:00:0a", "02:00:00:00:00:0b", "02:00:00:00:00:20", "02:00:00:00:00:21"];
        string[] targets = ["198.18.0.20", "198.18.0.21", "198.18.0.10", "198.18.0.99", $"198.18.{random.Next(4)}.{random.Next(256)}"];
        string sender = senders[random.Next(senders.Length)];
        string target = targets[random.Next(targets.Length)];
        string senderIp = random.Next(100) switch { < 10 => target, < 40 => "0.0.0.0", < 70 => "198.18.0.10", _ => "198.18.0.11" };
        string ethernetSource = random.Next(100) < 8 ? "02:00:00:00:00:0c" : sender;
        string ethernetDestination = random.Next(100) < 80 ? "ff:ff:ff:ff:ff:ff" : "02:00:00:00:00:20";
        ArpOperation op = random.Next(100) < 90 ? ArpOperation.Request : ArpOperation.Response;
        byte[] frame = PeepholeFrames.Arp(op, TestFrames.Mac(ethernetSource), TestFrames.Mac(ethernetDestination),
            TestFrames.Mac(sender), senderIp, TestFrames.Mac("00:00:00:00:00:00"), target);
        PhysicalAddress? owner = tables.NeighborOf(IPAddress.Parse(target));
        bool mustAnswer = op == ArpOperation.Request && ethernetSource == sender && senderIp != target &&
            owner is not null && !owner.Equals(TestFrames.Mac(sender));
        return (frame, $"arp {op} {sender}/{senderIp} (ethernet {ethernetSource}) for {target}", mustAnswer);
    }

    private (byte[], string, bool?) Solicitation()
    {
        string target = random.Next(100) switch { < 65 => "2001:db8::20", < 75 => Gateway, < 95 => "2001:db8::99", _ => "ff02::1" };
        var (solicitedIp, solicitedMac) = PeepholeFrames.SolicitedNode(target);
        bool dad = random.Next(100) < 30;
        bool own = random.Next(100) < 12;
        PhysicalAddress source = TestFrames.Mac(own ? "02:00:00:00:00:20" : random.Next(2) == 0 ? "02:00:00:00:00:0a" : "02:00:00:00:00:0b");
        bool toGroup = random.Next(100) < (dad ? 95 : 60);
        bool sourceLinkLayer = dad ? random.Next(100) < 8 : random.Next(100) < 85;
        byte hopLimit = random.Next(100) < 92 ? (byte)255 : (byte)random.Next(255);
        // Now and then from a source no solicitation may have (multicast, loopback).
        string sourceIp = dad ? "::" : random.Next(100) switch { < 3 => "ff02::1", < 6 => "::1", _ => "2001:db8::a" };
        byte[] frame = PeepholeFrames.Solicitation(source, toGroup ? solicitedMac : TestFrames.Mac("02:00:00:00:00:20"),
            sourceIp, toGroup ? solicitedIp : target, target, sourceLinkLayer ? source : null, hopLimit);
        PhysicalAddress? owner = tables.NeighborOf(IPAddress.Parse(target));
        // RFC 4861 7.1.1: hop limit 255, a unicast target, and a DAD probe to the solicited-node group without SLLAO.
        bool? mustAnswer = hopLimit == 255 && target != "ff02::1" && (!dad || (toGroup && !sourceLinkLayer)) &&
            sourceIp is "::" or "2001:db8::a" && owner is not null && !owner.Equals(source);
        // A router answers for itself (R=1): once the switch has heard its advertisement, never the switch.
        if (mustAnswer == true && owner!.Equals(GatewayMac))
            mustAnswer = _router switch { RouterState.Unknown => true, RouterState.Learned => false, _ => null };
        return (frame, $"ns for {target}{(dad ? " dad" : "")} from {source}/{sourceIp}{(toGroup ? " to group" : "")}{(sourceLinkLayer ? " sllao" : "")} hop {hopLimit}", mustAnswer);
    }

    private (byte[], string) Garbage()
    {
        if (random.Next(2) == 0) return (RandomBytes(random.Next(0, 121)), "random bytes");
        ushort etherType = new ushort[] { 0x0800, 0x86DD, 0x0806, 0x8100 }[random.Next(4)];
        var frame = new byte[14 + random.Next(0, 121)];
        Ethernet(frame, ClientMacs[0], random.Next(2) == 0 ? ServerMac : BroadcastMac, etherType);
        random.NextBytes(frame.AsSpan(14));
        if (frame.Length > 14 && random.Next(2) == 0) frame[14] = etherType == 0x86DD ? (byte)0x60 : (byte)0x45;
        return (frame, $"random after an ethernet header of type {etherType:x4}");
    }

    /// <summary>One to three mutations, then (usually) checksums recomputed; <paramref name="how"/> lists them.</summary>
    private byte[] Mutate(byte[] frame, out string how)
    {
        var done = new StringBuilder();
        int count = random.Next(1, 4);
        for (int i = 0; i < count && frame.Length > 0; i++)
        {
            int kind = random.Next(100);
            if (kind < 25)
            {
                int at = random.Next(frame.Length);
                frame[at] ^= (byte)random.Next(1, 256);
                done.Append($"flip@{at} ");
            }
            else if (kind < 45 && Wire.TryFindUdp(frame, out _, out int udp, out int udpLength) && udpLength > 8)
            {
                // Damage aimed at the DNS message, where the readers under test live.
                int at = udp + 8 + random.Next(udpLength - 8);
                frame[at] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)(frame[at] ^ (1 << random.Next(8)));
                done.Append($"dns-flip@{at} ");
            }
            else if (kind < 55)
            {
                int length = random.Next(frame.Length);
                frame = frame[..length];
                done.Append($"cut@{length} ");
            }
            else if (kind < 65)
            {
                frame = [.. frame, .. RandomBytes(random.Next(1, 65))];
                done.Append("extend ");
            }
            else
            {
                done.Append(MutateField(frame)).Append(' ');
            }
        }
        if (random.Next(100) < 75)
        {
            Wire.FixChecksums(frame);
            done.Append("(checksums fixed)");
        }
        how = done.ToString().Trim();
        return frame;
    }

    // Rewrites one length, count, flag or protocol field in place (when the frame is long enough).
    private string MutateField(byte[] frame)
    {
        int l4 = Wire.TryFindUdp(frame, out _, out int udp, out _) ? udp : -1;
        bool v4 = frame.Length >= 14 && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == 0x0800;
        (string Name, int Offset, int Size)[] fields =
        [
            ("ipv4-ihl", v4 ? 14 : -1, 0),
            ("ipv4-total-length", v4 ? 16 : -1, 2),
            ("ipv4-flags", v4 ? 20 : -1, 2),
            ("ipv4-protocol", v4 ? 23 : -1, 1),
            ("ipv6-payload-length", v4 ? -1 : 18, 2),
            ("ipv6-next-header", v4 ? -1 : 20, 1),
            ("udp-length", l4 < 0 ? -1 : l4 + 4, 2),
            ("dns-flags", l4 < 0 ? -1 : l4 + 10, 2),
            ("dns-qdcount", l4 < 0 ? -1 : l4 + 12, 2),
            ("dns-ancount", l4 < 0 ? -1 : l4 + 14, 2),
            ("dns-nscount", l4 < 0 ? -1 : l4 + 16, 2),
            ("dns-arcount", l4 < 0 ? -1 : l4 + 18, 2),
            ("dns-first-label", l4 < 0 ? -1 : l4 + 20, 1),
            ("arp-operation", 20, 2),
            ("icmpv6-code", 55, 1),
        ];
        var (name, offset, size) = fields[random.Next(fields.Length)];
        if (offset < 0 || offset + Math.Max(size, 1) > frame.Length) return name + "(absent)";
        if (size == 0)
        {
            frame[offset] = (byte)((frame[offset] & 0xF0) | random.Next(16));
            return name;
        }
        int old = size == 1 ? frame[offset] : BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(offset));
        int value = random.Next(4) switch
        {
            0 => old + random.Next(1, 4),
            1 => old - random.Next(1, 4),
            2 => name switch
            {
                "ipv4-protocol" or "ipv6-next-header" => new[] { 6, 17, 44, 58, 0 }[random.Next(5)],
                "ipv4-flags" => 0x2000,
                _ => random.Next(3),
            },
            _ => random.Next(size == 1 ? 256 : 65536),
        };
        if (size == 1) frame[offset] = (byte)value;
        else BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), (ushort)value);
        return $"{name}={value & (size == 1 ? 0xFF : 0xFFFF)}";
    }

    private byte[] RandomBytes(int length)
    {
        var b = new byte[length];
        random.NextBytes(b);
        return b;
    }

    private static void Ethernet(byte[] frame, byte[] source, byte[] destination, ushort etherType)
    {
        destination.CopyTo(frame, 0);
        source.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
    }

    private static byte[] Mac(string text) => TestFrames.Mac(text).GetAddressBytes();
}
