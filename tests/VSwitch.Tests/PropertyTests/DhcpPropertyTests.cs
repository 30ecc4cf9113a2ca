using PacketDotNet;
using VSwitch.Datapath.Peephole.Dhcp;
using VSwitch.Tests.Peephole;
using VSwitch.Tests.Scenarios;
using static VSwitch.Tests.Scenarios.TestDhcp;
using VSwitch.Datapath.Counters;

namespace VSwitch.Tests.PropertyTests;

/// <summary>
/// Random and mutated DHCP client messages through the real pipeline, with the tables of
/// captures/peephole/dhcp: nothing throws, every slot comes back, and every frame the switch
/// writes is a BOOTREPLY that PacketDotNet decodes, for the asker's transaction and MAC, leasing
/// only the ethers table's address for that MAC.
/// </summary>
public class DhcpPropertyTests
{
    private static readonly byte[][] Macs =
        [Mac("02:00:00:00:01:01"), Mac("02:00:00:00:09:09"), Mac("02:00:00:00:00:53")];

    private static byte[] Mac(string text) => TestFrames.Mac(text).GetAddressBytes();

    [Fact]
    public void RandomAndMutatedMessages_NeverThrow_RepliesDecodeAndLeaseTableAddresses()
    {
        using var sw = new PeepholeTestSwitch("dhcp", slots: 128);
        var random = new Random(20261127);
        int replies = 0;
        const int Iterations = 6000;
        for (int n = 0; n < Iterations; n++)
        {
            byte[] frame = Generate(random);
            int mode = random.Next(10);
            if (mode >= 6) Mutate(frame, random);
            if (mode == 9) frame = frame[..random.Next(14, frame.Length)];
            foreach (var (_, output) in sw.Send(frame))
            {
                if (output.AsSpan().SequenceEqual(frame)) continue;
                replies++;
                var packet = Packet.ParsePacket(LinkLayers.Ethernet, output);
                var udp = packet.Extract<UdpPacket>();
                Assert.True(udp is { SourcePort: 67, DestinationPort: 68 }, "a frame the switch wrote is not a DHCP reply");
                Assert.True(udp.ValidUdpChecksum && packet.Extract<IPv4Packet>().ValidIPChecksum, "reply checksums");
                var dhcp = Assert.IsType<DhcpV4Packet>(udp.PayloadPacket);
                var asked = (DhcpV4Packet)Packet.ParsePacket(LinkLayers.Ethernet, frame).Extract<UdpPacket>().PayloadPacket;
                Assert.Equal(asked.TransactionId, dhcp.TransactionId);
                Assert.Equal(asked.ClientHardwareAddress, dhcp.ClientHardwareAddress);
                if (!dhcp.YourAddress.Equals(System.Net.IPAddress.Any))
                    Assert.Equal(dhcp.ClientHardwareAddress, sw.Model.NeighborOf(dhcp.YourAddress));

                // RFC 6842: the client identifier goes back unaltered (and only when it was sent).
                byte[] askedOptions = OptionsOf(frame), replyOptions = OptionsOf(output);
                Assert.Equal(RawOption(askedOptions, 61), RawOption(replyOptions, 61));
                // RFC 2132 3.3: the subnet mask before the router.
                int mask = OptionAt(replyOptions, 1), router = OptionAt(replyOptions, 3);
                if (mask >= 0 && router >= 0) Assert.True(mask < router, "router before subnet mask");
                // RFC 2131 2: the whole IP datagram within the client's maximum (option 57, at least 576).
                byte[]? maxSize = RawOption(askedOptions, 57);
                int limit = maxSize is { Length: 2 } ? Math.Max(576, maxSize[0] << 8 | maxSize[1]) : 576;
                Assert.True(output.Length - 14 <= limit, $"a {output.Length - 14}-byte datagram for a client whose limit is {limit}");
            }
            Assert.Equal(sw.Pool.SlotCount, sw.Pool.Available);
        }
        var missing = Enum.GetValues<DhcpOutcome>().Select(o => "peephole/dhcp/" + DhcpOutcomes.Name(o))
            .Where(path => sw.Counter(path) == 0).ToList();
        Assert.True(missing.Count == 0, "outcomes never hit: " + string.Join(", ", missing));
        Assert.True(replies > Iterations / 10, $"only {replies} replies in {Iterations} frames: the property was barely exercised");
    }

    private static byte[] Generate(Random random)
    {
        byte[] mac = Macs[random.Next(Macs.Length)];
        var client = new System.Net.NetworkInformation.PhysicalAddress(mac);
        byte type = (byte)random.Next(1, 10);
        string lease = random.Next(3) == 0 ? "198.18.0." + random.Next(1, 255) : "198.18.0.101";
        bool hasAddress = type is Inform or Release || (type == Request && random.Next(3) == 0);
        string ciaddr = hasAddress ? lease : "0.0.0.0";
        var options = new List<byte[]> { Type(type) };
        if (type is Request or Decline && !hasAddress) options.Add(Address(50, lease));
        if (random.Next(3) == 0) options.Add(Address(54, random.Next(4) == 0 ? "198.18.0.254" : "198.18.0.53"));
        if (random.Next(2) == 0)
        {
            // Half the lists are the options clients really ask for, in any order; half are any codes.
            byte[] codes = random.Next(2) == 0
                ? [.. new byte[] { 1, 3, 6, 15, 26, 28, 42, 119 }.OrderBy(_ => random.Next()).Take(random.Next(1, 9))]
                : [.. Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(1, 80))];
            options.Add(ParameterList(codes));
        }
        if (random.Next(5) == 0) options.Add([57, 2, (byte)random.Next(0, 6), (byte)random.Next(256)]);
        if (random.Next(20) == 0) options.Add([52, 1, 3]);
        if (random.Next(3) == 0)
        {
            // A client identifier: the usual type 1 and MAC, or any length up to 255.
            int length = random.Next(2) == 0 ? 7 : random.Next(1, 256);
            var id = new byte[2 + length];
            id[0] = 61;
            id[1] = (byte)length;
            random.NextBytes(id.AsSpan(2));
            options.Add(id);
        }
        options.Add(End);
        string giaddr = random.Next(15) == 0 ? "198.18.0.1" : "0.0.0.0";
        ushort flags = random.Next(4) == 0 ? (ushort)0x8000 : (ushort)0;
        byte[] message = Message(1, (uint)random.Next(), flags, ciaddr, "0.0.0.0", giaddr, client, Options([.. options]));
        bool unicast = hasAddress && random.Next(2) == 0;
        if (random.Next(30) == 0)
            return PeepholeFrames.Udp4(client, TestFrames.Broadcast, ciaddr, "255.255.255.255", 68, 67, message, dontFragment: false, moreFragments: true);
        return ClientFrame(client, unicast ? PeepholeFrames.ServerMac : TestFrames.Broadcast, ciaddr, unicast ? "198.18.0.53" : "255.255.255.255", message);
    }

    // The options of the DHCP message in an untagged IPv4/UDP frame.
    private static byte[] OptionsOf(byte[] frame)
    {
        int at = 14 + (frame[14] & 0xF) * 4 + 8 + 240;
        return frame.Length > at ? frame[at..] : [];
    }

    // An option's value as written, walked by hand (pad 0, end 255), or null when absent or cut short.
    private static byte[]? RawOption(byte[] options, byte code)
    {
        int at = OptionAt(options, code);
        return at < 0 || at + 2 > options.Length || at + 2 + options[at + 1] > options.Length ? null : options[(at + 2)..(at + 2 + options[at + 1])];
    }

    private static int OptionAt(byte[] options, byte code)
    {
        for (int i = 0; i < options.Length && options[i] != 255;)
        {
            if (options[i] == code) return i;
            i += options[i] == 0 ? 1 : i + 1 < options.Length ? 2 + options[i + 1] : 1;
        }
        return -1;
    }

    // Flips bytes in the DHCP message and, now and then, in the headers before it.
    private static void Mutate(byte[] frame, Random random)
    {
        int flips = random.Next(1, 4);
        for (int i = 0; i < flips; i++)
        {
            int at = random.Next(8) == 0 ? random.Next(14, 42) : random.Next(42, frame.Length);
            frame[at] = (byte)random.Next(256);
        }
    }
}
