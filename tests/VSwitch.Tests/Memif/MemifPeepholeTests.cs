using System.Buffers.Binary;
using PacketDotNet;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;
using VSwitch.Memif.Client;
using VSwitch.Tests.Scenarios;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Tests.Memif;

/// <summary>A container on memif gets its ARP and DNS answered like one on TAP: its frames go through
/// the same pipeline, peephole included.</summary>
public class MemifPeepholeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static MemifSwitch SwitchWithTables()
    {
        var sw = new MemifSwitch();
        string dir = Path.Combine(ScenarioFiles.CapturesRoot, "peephole", "dns-answers");
        ScenarioTables files = ScenarioFiles.ReadTopology(dir).Tables!;
        DnsSettings settings = files.Dns;
        PeepholeTables? tables = TableFiles.Load(Path.Combine(dir, "hosts"), Path.Combine(dir, "ethers"), settings, out var errors);
        Assert.True(tables is not null, string.Join("\n", errors));
        sw.Loop.Peephole.Binding = TableBinding.For(tables!, [VlanMode.DefaultVlan]);
        sw.Add(0);
        sw.Start();
        return sw;
    }

    [Fact]
    public void ArpRequest_FromTheClientLibrary_AnsweredWithTheEthersMac()
    {
        using MemifSwitch sw = SwitchWithTables();
        using MemifClient client = MemifClient.Connect(sw.SocketPath, 0, "container");
        var web = new TestFrames.Host("02:00:00:00:00:20", "198.18.0.20");
        Assert.True(client.Send(TestFrames.ArpRequest(TestFrames.A, web)));

        byte[] reply = client.Receive(Wait) ?? throw new Xunit.Sdk.XunitException("no ARP reply");
        var eth = (EthernetPacket)Packet.ParsePacket(LinkLayers.Ethernet, reply);
        var arp = eth.Extract<ArpPacket>();
        Assert.Equal(ArpOperation.Response, arp.Operation);
        Assert.Equal(web.Mac, arp.SenderHardwareAddress);
        Assert.Equal(web.Address, arp.SenderProtocolAddress);
        Assert.Equal(TestFrames.A.Mac, eth.DestinationHardwareAddress);
    }

    [Fact]
    public void DnsQuery_FromTheClientLibrary_AnsweredWithTheHostsAddress()
    {
        using MemifSwitch sw = SwitchWithTables();
        using MemifClient client = MemifClient.Connect(sw.SocketPath, 0, "container");
        byte[] query = TestDns.Query(0x4242, "web.cluster.local", TestDns.TypeA);
        Assert.True(client.Send(PeepholeFrames.Query(TestFrames.A, query)));

        byte[] reply = client.Receive(Wait) ?? throw new Xunit.Sdk.XunitException("no DNS reply");
        var udp = Packet.ParsePacket(LinkLayers.Ethernet, reply).Extract<UdpPacket>();
        Assert.Equal(53, udp.SourcePort);
        Assert.Equal(40053, udp.DestinationPort);
        byte[] dns = udp.PayloadData;
        Assert.Equal(0x4242, BinaryPrimitives.ReadUInt16BigEndian(dns));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(dns.AsSpan(6)));   // one answer
        Assert.True(dns.AsSpan(dns.Length - 4).SequenceEqual(new byte[] { 198, 18, 0, 20 }), Convert.ToHexString(dns));
    }
}
