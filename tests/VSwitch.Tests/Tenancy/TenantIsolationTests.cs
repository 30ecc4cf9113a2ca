using System.Net;
using System.Text;
using PacketDotNet;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Tenancy;
using VSwitch.Tests.Scenarios;

namespace VSwitch.Tests.Tenancy;

/// <summary>
/// Tries to make one tenant's data surface in another's answers. Tenants share names and address
/// plans with different answers, and each owns canary records (names, addresses, MACs) that no
/// other tenant has; random queries from random tenants must get only their own tenant's data,
/// and no canary byte sequence of another tenant may appear anywhere in a reply, padding included.
/// </summary>
public class TenantIsolationTests
{
    private const int Tenants = 6;
    private const ushort FirstVlan = 100;

    private sealed record TenantData(string Name, ushort Vlan, string WebIp, List<string> CanaryNames,
        List<IPAddress> CanaryAddresses, List<byte[]> CanaryMacs, Tenant Tenant)
    {
        public IEnumerable<byte[]> CanaryBytes =>
            CanaryNames.Select(n => Encoding.ASCII.GetBytes(n.Split('.')[0]))
                .Concat(CanaryAddresses.Select(a => a.GetAddressBytes()))
                .Concat(CanaryMacs);
    }

    private static TenantData MakeTenant(int index, Random random)
    {
        var hosts = new List<HostsEntry>();
        var ethers = new List<EthersEntry>();
        // Overlapping plans: every tenant has web.corp and 198.18.0.20, with its own answers.
        string webIp = $"198.18.{index + 1}.20";
        hosts.Add(new HostsEntry(IPAddress.Parse(webIp), "web.corp", [], 1));
        hosts.Add(new HostsEntry(IPAddress.Parse("198.18.0.20"), $"shared-{index}.corp", [], 2));
        ethers.Add(new EthersEntry(0x02_00_00_00_10_00UL + (ulong)index, IPAddress.Parse("198.18.0.20"), null, 1));
        var names = new List<string>();
        var addresses = new List<IPAddress>();
        var macs = new List<byte[]>();
        for (int c = 0; c < 8; c++)
        {
            string name = $"k{RandomLabel(random)}.corp";
            var v4 = new IPAddress([198, 19, (byte)random.Next(256), (byte)random.Next(1, 255)]);
            var v6Bytes = new byte[16];
            random.NextBytes(v6Bytes);
            v6Bytes[0] = 0x20; v6Bytes[1] = 0x01; v6Bytes[2] = 0x0d; v6Bytes[3] = 0xb8;
            var v6 = new IPAddress(v6Bytes);
            var mac = new byte[6];
            random.NextBytes(mac);
            mac[0] = 0x02;
            hosts.Add(new HostsEntry(v4, name, [], 10 + c));
            hosts.Add(new HostsEntry(v6, name, [], 20 + c));
            ethers.Add(new EthersEntry(Datapath.Frames.MacAddress.Read(mac), null, name, 10 + c));
            names.Add(name);
            addresses.Add(v4);
            addresses.Add(v6);
            macs.Add(mac);
        }
        var tables = PeepholeTables.Build(hosts, ethers, new DnsSettings { Zones = ["corp"] }, "ethers", out var errors);
        Assert.Empty(errors);
        if (!DhcpScope.TryParse("198.19.0.0/16,router=198.19.0.1", out DhcpScope? scope, out string e)) throw new InvalidDataException(e);
        return new TenantData($"t{index}", (ushort)(FirstVlan + index), webIp, names, addresses, macs,
            new Tenant($"t{index}", tables.WithDhcp([scope! with { Vlan = (ushort)(FirstVlan + index) }])));
    }

    private static string RandomLabel(Random random) =>
        string.Create(12, random, static (s, r) => { for (int i = 0; i < s.Length; i++) s[i] = (char)('a' + r.Next(26)); });

    [Fact]
    public void RandomQueriesFromRandomTenants_RepliesCarryOnlyTheAskersData()
    {
        var random = new Random(9);
        var tenants = Enumerable.Range(0, Tenants).Select(i => MakeTenant(i, random)).ToArray();
        using var pool = new FramePool(256, 4096);
        var loop = new ForwardingLoop(pool, new ManualClock());
        var trunk = new MemoryPort("trunk", pool);
        var other = new MemoryPort("other", pool);
        loop.AddPort(trunk, new PortConfig(VlanMode.Trunk(tenants.Select(t => t.Vlan))));
        loop.AddPort(other, new PortConfig(VlanMode.Trunk(tenants.Select(t => t.Vlan))));
        TableBinding binding = TableBinding.None;
        foreach (TenantData t in tenants) binding = binding.With(t.Tenant, [t.Vlan]);
        loop.Peephole.Binding = binding;

        int replies = 0;
        var answeredBy = new int[Tenants];
        for (int n = 0; n < 4000; n++)
        {
            int asker = random.Next(Tenants);
            TenantData me = tenants[asker];
            TenantData someone = tenants[random.Next(Tenants)];
            byte[] query = Query(random, me, someone);
            trunk.Enqueue(TestFrames.Tagged(query, me.Vlan));
            loop.RunOnce();
            foreach (byte[] frame in trunk.Sent.Concat(other.Sent))
            {
                byte[] inner = Untag(frame, out ushort vlan);
                if (inner.AsSpan().SequenceEqual(query)) continue;
                replies++;
                answeredBy[asker]++;
                Assert.Equal(me.Vlan, vlan);
                foreach (TenantData stranger in tenants.Where(t => t != me))
                {
                    // What the asker put in its own query (a name it asked about, its own MAC) is echoed legitimately.
                    foreach (byte[] canary in stranger.CanaryBytes.Where(c => query.AsSpan().IndexOf(c) < 0))
                        Assert.True(frame.AsSpan().IndexOf(canary) < 0,
                            $"a reply to {me.Name} carries {stranger.Name}'s canary {Convert.ToHexString(canary)}: {Convert.ToHexString(frame)}");
                    Assert.True(frame.AsSpan().IndexOf(IPAddress.Parse(stranger.WebIp).GetAddressBytes()) < 0, $"{stranger.Name}'s web address in {me.Name}'s reply");
                }
            }
            trunk.Sent.Clear();
            other.Sent.Clear();
            Assert.Equal(pool.SlotCount, pool.Available);
        }
        Assert.True(replies > 1000, $"only {replies} replies: the property was barely exercised");
        Assert.All(answeredBy, count => Assert.True(count > 50, "every tenant must have been answered many times"));
    }

    [Fact]
    public void EditInOneTenant_InvisibleToTheOthers()
    {
        var random = new Random(3);
        TenantData a = MakeTenant(0, random), b = MakeTenant(1, random);
        using var pool = new FramePool(64, 4096);
        var loop = new ForwardingLoop(pool, new ManualClock());
        var trunk = new MemoryPort("trunk", pool);
        loop.AddPort(trunk, new PortConfig(VlanMode.Trunk([a.Vlan, b.Vlan])));
        loop.Peephole.Binding = TableBinding.None.With(a.Tenant, [a.Vlan]).With(b.Tenant, [b.Vlan]);

        a.Tenant.Tables = a.Tenant.Tables.WithHost(IPAddress.Parse("198.18.9.9"), ["fresh.corp"]);
        byte[] query = Dns(TestDns.Query(0x4242, "fresh.corp", TestDns.TypeA));
        trunk.Enqueue(TestFrames.Tagged(query, a.Vlan));
        trunk.Enqueue(TestFrames.Tagged(query, b.Vlan));
        loop.RunOnce();
        var answers = trunk.Sent.Select(f => Untag(f, out ushort vlan) is var inner && inner.AsSpan().IndexOf(new byte[] { 198, 18, 9, 9 }) >= 0 ? vlan : (ushort)0).ToList();
        Assert.Equal([a.Vlan], answers.Where(v => v != 0));
        Assert.Equal(1, a.Tenant.Counters.Dns[(int)Datapath.Counters.DnsOutcome.Replied]);
        Assert.Equal(1, b.Tenant.Counters.Dns[(int)Datapath.Counters.DnsOutcome.NxDomain]);
    }

    [Fact]
    public void PortBoundTenant_WinsOverTheVlan()
    {
        var random = new Random(5);
        TenantData byVlan = MakeTenant(0, random), byPort = MakeTenant(1, random);
        using var pool = new FramePool(64, 4096);
        var loop = new ForwardingLoop(pool, new ManualClock());
        var access = new MemoryPort("access", pool);
        AttachedPort port = loop.AddPort(access, new PortConfig(VlanMode.Access(byVlan.Vlan)));
        loop.Peephole.Binding = TableBinding.None.With(byVlan.Tenant, [byVlan.Vlan]).WithPorts(byPort.Tenant, [port.Id]);
        access.Enqueue(Dns(TestDns.Query(7, "web.corp", TestDns.TypeA)));
        loop.RunOnce();
        byte[] reply = Assert.Single(access.Sent);
        Assert.True(reply.AsSpan().IndexOf(IPAddress.Parse(byPort.WebIp).GetAddressBytes()) >= 0);
        Assert.True(reply.AsSpan().IndexOf(IPAddress.Parse(byVlan.WebIp).GetAddressBytes()) < 0);
    }

    private static byte[] Query(Random random, TenantData me, TenantData someone)
    {
        string canary = someone.CanaryNames[random.Next(someone.CanaryNames.Count)];
        IPAddress address = someone.CanaryAddresses[random.Next(someone.CanaryAddresses.Count)];
        byte[] mac = someone.CanaryMacs[random.Next(someone.CanaryMacs.Count)];
        var client = new System.Net.NetworkInformation.PhysicalAddress([0x02, 0, 0, 0, 0x77, (byte)random.Next(256)]);
        return random.Next(7) switch
        {
            0 => Dns(TestDns.Query((ushort)random.Next(), "web.corp", TestDns.TypeA)),
            1 => Dns(TestDns.Query((ushort)random.Next(), canary, random.Next(2) == 0 ? TestDns.TypeA : TestDns.TypeAaaa)),
            2 => Dns(TestDns.Query((ushort)random.Next(), ReverseName(address), TestDns.TypePtr)),
            3 => PeepholeFrames.Arp(ArpOperation.Request, client, TestFrames.Broadcast, client, "198.18.0.10",
                TestFrames.Mac("00:00:00:00:00:00"), address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? address.ToString() : "198.18.0.20"),
            4 => Dns(TestDns.Query((ushort)random.Next(), "shared-" + random.Next(Tenants) + ".corp", TestDns.TypeA)),
            5 => TestDhcp.ClientFrame(new System.Net.NetworkInformation.PhysicalAddress(mac), TestFrames.Broadcast, "0.0.0.0", "255.255.255.255",
                TestDhcp.Message(1, (uint)random.Next(), 0, "0.0.0.0", "0.0.0.0", "0.0.0.0", new System.Net.NetworkInformation.PhysicalAddress(mac),
                    TestDhcp.Options(TestDhcp.Type(TestDhcp.Discover), TestDhcp.ParameterList(1, 3, 6, 15), TestDhcp.End))),
            _ => Dns(TestDns.Query((ushort)random.Next(), "nope-" + random.Next(1000) + ".corp", TestDns.TypeA)),
        };
    }

    private static byte[] Dns(byte[] message) => PeepholeFrames.Query(TestFrames.A, message);

    private static string ReverseName(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
        ? string.Join('.', address.GetAddressBytes().Reverse()) + ".in-addr.arpa"
        : string.Join('.', address.GetAddressBytes().Reverse().SelectMany(b => new[] { b & 0xF, b >> 4 }).Select(n => n.ToString("x", System.Globalization.CultureInfo.InvariantCulture))) + ".ip6.arpa";

    private static byte[] Untag(byte[] frame, out ushort vlan)
    {
        vlan = 0;
        if (frame.Length < 18 || frame[12] != 0x81 || frame[13] != 0) return frame;
        vlan = (ushort)(((frame[14] << 8) | frame[15]) & 0xFFF);
        return [.. frame.AsSpan(0, 12), .. frame.AsSpan(16)];
    }
}
