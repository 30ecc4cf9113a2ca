using VSwitch.Tests.Fuzz.Targets;

namespace VSwitch.Tests.Fuzz;

/// <summary>A fuzz target by name: how to build it, the seeds it starts from, and the tokens worth splicing into its input.</summary>
/// <param name="Name">The name used on the harness's command line and as the folder of its regressions.</param>
/// <param name="Create">Builds the target; the receive path takes an observer of the frames the switch sent.</param>
/// <param name="Seeds">The seed corpus.</param>
/// <param name="Tokens">A dictionary of fragments the mutator inserts (libFuzzer's -dict, AFL's -x).</param>
public sealed record FuzzTargetInfo(string Name, Func<IFuzzTarget> Create, Func<List<byte[]>> Seeds, byte[][] Tokens);

/// <summary>Every fuzz target, in one list, so that the CI run, the harness and the regression replay cannot drift apart.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTargetInfo> All { get; } =
    [
        new("receive-path", () => new ReceivePathTarget(), ReceivePathSeeds, FrameTokens()),
        new("hosts", () => new HostsFileTarget(), () => SeedCorpus.TableFiles("hosts"), TextTokens()),
        new("ethers", () => new EthersFileTarget(), () => SeedCorpus.TableFiles("ethers"), TextTokens()),
        new("config", () => new ConfigFileTarget(), ConfigSeeds, TextTokens()),
    ];

    public static FuzzTargetInfo Find(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", All.Select(t => t.Name))}");

    // Every captured frame, entering by each port in turn with checksums fixed after mutation.
    private static List<byte[]> ReceivePathSeeds()
    {
        List<byte[]> frames = SeedCorpus.Frames();
        return frames.Select((f, i) => ReceivePathTarget.Input(i % 3, f)).ToList();
    }

    // The documented examples, and one file setting every key to a value it accepts.
    private static List<byte[]> ConfigSeeds()
    {
        List<byte[]> seeds = SeedCorpus.ConfigExamples();
        seeds.Add(System.Text.Encoding.UTF8.GetBytes("""
            # every key
            port = tap:vs0,vlan=10,mtu=9000,name=a
            port = afpacket:eth1,trunk=10;20-29
            port = pcap:eth2
            port = pcap-file:in.pcap,out.pcap
            hosts = /var/lib/vswitch/hosts
            ethers = none
            zone = cluster.local
            zone = 18.198.in-addr.arpa.
            dns-ttl = 30
            dns-soa-serial = 7
            dns-edns-size = 1232
            table-vlans = 1,10-20
            control = /run/vswitch/vswitchd.sock
            control-mode = 0660
            mac-aging = 600
            mac-table-size = 65536
            idle = adaptive
            frame-pool-slots = 4096
            supervise-interval = 1
            log-level = debug

            [tenant blue]
            vlans = 30,40-49
            ports = a
            hosts = /var/lib/vswitch/blue/hosts
            ethers = none
            zone = blue.local
            dns-ttl = 30
            dns-soa-serial = 2
            dns-edns-size = 1400
            dhcp = 198.18.0.0/24,router=198.18.0.1,dns=198.18.0.53,vlan=30
            peephole-rate-limit = 0

            """));
        return seeds;
    }

    private static byte[][] FrameTokens() =>
    [
        [0x08, 0x00], [0x86, 0xDD], [0x08, 0x06], [0x81, 0x00], [0x00, 0x35], // EtherTypes, port 53
        [0xC0, 0x0C], [0xC0, 0x00], [0xFF, 0xFF], [0x3F], [0x40], [0xC0], // compression pointers, label lengths
        [0x00, 0x29, 0x10, 0x00], [0x00, 0x01, 0x00, 0x01], [0x00, 0x1C, 0x00, 0x01], [0x00, 0x0C, 0x00, 0x01], // OPT, A IN, AAAA IN, PTR IN
        [0x00, 0x00, 0x29], [0x87, 0x00], [0x3A], [0x00, 0x01], // OPT RR, NS type, ICMPv6, a count of 1
        "\u0007cluster\u0005local\0"u8.ToArray(), "\u0003web\u0007cluster\u0005local\0"u8.ToArray(),
        "\u0007in-addr\u0004arpa\0"u8.ToArray(), "\u0003ip6\u0004arpa\0"u8.ToArray(),
    ];

    private static byte[][] TextTokens() =>
    [
        .. new[]
        {
            "\n", "\r\n", " ", "\t", "#", "=", " = ", ".", "..", ":", "::", "-", "_", "%eth0", "/24", "\0", "\u001b[2J",
            "198.18.0.1", "2001:db8::1", "::ffff:198.18.0.1", "255.255.255.255", "0.0.0.0", "010.1.1.1", "1.2.3",
            "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff", "0:0:0:0:0:0", "2-0-0-0-0-1", "web.cluster.local", "cluster.local.",
            new string('a', 63), new string('a', 64), new string('b', 250) + ".c", "\u00e9", "\uff11", "\u0663", "\ud800",
            "port", "tap:vs0", "afpacket:eth0,trunk=1;10-20", "pcap-file:a,b", ",vlan=4095", ",mtu=65535", ",name=",
            "hosts", "ethers", "zone", "dns-ttl", "table-vlans", "1,10-20", "control-mode", "0777", "mac-table-size",
            "4294967296", "-1", "none", "idle", "log-level",
        }.Select(System.Text.Encoding.UTF8.GetBytes),
    ];
}
