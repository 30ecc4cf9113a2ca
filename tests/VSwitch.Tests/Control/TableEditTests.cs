using VSwitch.Daemon.Control.Commands;
using System.Text.Json.Nodes;
using PacketDotNet;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Tests.Scenarios;

namespace VSwitch.Tests.Control;

/// <summary>Table edits over the control socket: on disk first, then answering, and a bad reload changes nothing.</summary>
public class TableEditTests
{
    private static ushort _queryId = 0x4000;

    [Fact]
    public async Task HostsAdd_NextQueryAnswered_HostsDel_NextQueryNotAnswered()
    {
        await using TestDaemon d = await TestDaemon.StartAsync();
        await using ControlClient c = await d.ConnectAsync();

        Assert.Null(await AskAsync(d, "web.lab", expectFloodedCount: 1));

        ControlReply add = await c.CallAsync("hosts/add", new JsonObject { ["address"] = "198.18.0.10", ["names"] = new JsonArray("web.lab") });
        Assert.True(add.Ok, add.Error);
        // Acknowledged means written: the file says so before any query is asked.
        Assert.Equal("198.18.0.10\tweb.lab\n", await File.ReadAllTextAsync(d.Hosts));
        byte[]? answer = await AskAsync(d, "web.lab");
        Assert.NotNull(answer);
        Assert.Equal([198, 18, 0, 10], answer[^4..]);

        ControlReply del = await c.CallAsync("hosts/del", new JsonObject { ["name"] = "web.lab" });
        Assert.True(del.Ok, del.Error);
        Assert.Equal("", await File.ReadAllTextAsync(d.Hosts));
        Assert.Null(await AskAsync(d, "web.lab", expectFloodedCount: 2));
    }

    [Fact]
    public async Task Reload_BadHostsLine_OldTableStillAnswersAndErrorsReturned()
    {
        await using TestDaemon d = await TestDaemon.StartAsync(hosts: "198.18.0.10 web.lab\n");
        await File.WriteAllTextAsync(d.Hosts, "198.18.0.10 web.lab\n198.18.0.300 broken.lab\n");
        await using ControlClient c = await d.ConnectAsync();
        ControlReply reload = await c.CallAsync("reload");
        Assert.False(reload.Ok);
        Assert.Contains("not loaded", reload.Error, StringComparison.Ordinal);
        string error = Assert.Single(reload.Errors);
        Assert.StartsWith(d.Hosts + ":2: '198.18.0.300'", error, StringComparison.Ordinal);

        byte[]? answer = await AskAsync(d, "web.lab");
        Assert.NotNull(answer);
        Assert.Equal([198, 18, 0, 10], answer[^4..]);
        Assert.Single((await c.CallAsync("hosts/list", null, ControlJsonContext.Default.HostsListResult)).Entries);
    }

    [Fact]
    public async Task EthersAdd_ArpAnsweredFromTheNewLine()
    {
        await using TestDaemon d = await TestDaemon.StartAsync(hosts: "198.18.0.12 c.lab\n");
        await using ControlClient c = await d.ConnectAsync();
        ControlReply add = await c.CallAsync("ethers/add", new JsonObject { ["mac"] = "02:00:00:00:00:0c", ["target"] = "c.lab" });
        Assert.True(add.Ok, add.Error);
        await d.SendAsync(0, TestFrames.ArpRequest(TestFrames.A, TestFrames.C));
        List<byte[]> sent = await d.WaitSentAsync(0, 1);
        var reply = (ArpPacket)Packet.ParsePacket(LinkLayers.Ethernet, Assert.Single(sent)).PayloadPacket;
        Assert.Equal(ArpOperation.Response, reply.Operation);
        Assert.Equal("02000000000C", reply.SenderHardwareAddress.ToString());
    }

    // Asks for the A record of name from host A on p1. Returns the DNS answer the switch wrote
    // back to p1, or null when the query went out to p2 instead (not answered).
    private static async Task<byte[]?> AskAsync(TestDaemon d, string name, int expectFloodedCount = 0)
    {
        int before = (await d.SentAsync(0)).Count;
        byte[] query = TestDns.Query(++_queryId, name, TestDns.TypeA);
        await d.SendAsync(0, PeepholeFrames.Query(TestFrames.A, query));
        if (expectFloodedCount > 0)
        {
            Assert.Equal(expectFloodedCount, (await d.WaitSentAsync(1, expectFloodedCount)).Count);
            await d.SettleAsync();
            Assert.Equal(before, (await d.SentAsync(0)).Count);
            return null;
        }
        List<byte[]> sent = await d.WaitSentAsync(0, before + 1);
        Assert.Equal(before + 1, sent.Count);
        var udp = Packet.ParsePacket(LinkLayers.Ethernet, sent[^1]).Extract<UdpPacket>();
        Assert.Equal(53, udp.SourcePort);
        byte[] dns = udp.PayloadData;
        Assert.Equal(query[..2], dns[..2]);
        Assert.True((dns[2] & 0x80) != 0, "QR is set");
        return dns;
    }
}
