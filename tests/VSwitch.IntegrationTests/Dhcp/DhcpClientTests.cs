using VSwitch.IntegrationTests.Infrastructure;
using PortKind = VSwitch.IntegrationTests.Daemon.DaemonScenarioTests.PortKind;

namespace VSwitch.IntegrationTests.Dhcp;

/// <summary>
/// Real DHCP clients (busybox udhcpc, ISC dhclient) against vswitchd with <c>--dhcp</c>: a client
/// the ethers table knows gets its lease from the switch with no DHCP server anywhere, then
/// resolves a name at the DNS server it was given (answered by the switch too); a client the table
/// does not know gets its lease from dnsmasq behind the switch; <c>vswitchctl ethers add</c> takes
/// effect on the next DISCOVER; a renewal by unicast to the server identifier is answered; a
/// DECLINE is counted and the declined address is not offered again during the back-off; the
/// DHCP counters count what happened.
/// </summary>
public class DhcpClientTests
{
    private const string Hosts = """
        198.18.0.100  web.cluster.local web
        198.18.0.12   db.cluster.local
        """;

    // 198.18.0.53 is the scope's DNS server and server identifier: the switch answers ARP for it.
    // The second client's MAC names a host, whose address comes from the hosts file.
    private const string Ethers = """
        02:00:00:00:00:53 198.18.0.53
        02:00:00:00:00:11 198.18.0.11
        02:00:00:00:00:12 db.cluster.local
        """;

    private const string DirectMac = "02:00:00:00:00:11", NamedMac = "02:00:00:00:00:12", UnknownMac = "02:00:00:00:00:99";

    private static DhcpLease TableLease(string address) =>
        new(address, "255.255.255.0", "198.18.0.1", "198.18.0.53", "cluster.local", "198.18.0.53", 600);

    [Theory]
    [InlineData(PortKind.Tap, DhcpClientProgram.Udhcpc)]
    [InlineData(PortKind.AfPacket, DhcpClientProgram.Udhcpc)]
    [InlineData(PortKind.Tap, DhcpClientProgram.Dhclient)]
    [InlineData(PortKind.AfPacket, DhcpClientProgram.Dhclient)]
    public void Client_MacInTable_LeaseFromSwitchWithNoServer_ThenResolvesAtLeasedDns(PortKind kind, DhcpClientProgram program)
    {
        Privileges.RequireRoot();
        using var env = new DhcpSwitch(kind, Hosts, Ethers, [DirectMac, NamedMac]);
        using var direct = new DhcpClient(program, env.Clients[0], env.Directory);
        using var named = new DhcpClient(program, env.Clients[1], env.Directory);
        Assert.Equal((0, 0), (env.Dhcp("offered"), env.Dhcp("acked")));

        DhcpLease lease = direct.Obtain();
        Assert.Equal(TableLease("198.18.0.11"), lease);
        Assert.Equal((1, 1), (env.Dhcp("offered"), env.Dhcp("acked")));
        Assert.Equal(TableLease("198.18.0.12"), named.Obtain());
        Assert.Equal((2, 2), (env.Dhcp("offered"), env.Dhcp("acked")));
        Assert.Equal((0, 0), (env.Dhcp("naked"), env.Dhcp("forwarded-not-in-table")));

        // Configured as the client's own script would, it resolves at the DNS server the lease named.
        NetNamespace host = env.Clients[0];
        host.Exec("ip", "addr", "add", $"{lease.Address}/{lease.PrefixLength}", "dev", "eth0");
        Dig.Answer a = Dig.Query(host, lease.FirstDns, "web.cluster.local");
        Assert.Equal(("NOERROR", true), (a.Status, a.Authoritative));
        Assert.Equal(["web.cluster.local. 60 IN A 198.18.0.100"], a.Records);
        Assert.Equal(1, env.Daemon.Counter("peephole/dns/replied"));
    }

    [Theory]
    [InlineData(DhcpClientProgram.Udhcpc)]
    [InlineData(DhcpClientProgram.Dhclient)]
    public void Client_MacNotInTable_LeaseFromDnsmasqBehindSwitch(DhcpClientProgram program)
    {
        Privileges.RequireRoot();
        using var env = new DhcpSwitch(PortKind.AfPacket, Hosts, Ethers, [UnknownMac, DirectMac], serverHost: true);
        using var server = new DnsmasqDhcpServer(env.Server!, DhcpSwitch.ServerAddress, "198.18.0.150,198.18.0.199,255.255.255.0,600", env.Directory);
        using var unknown = new DhcpClient(program, env.Clients[0], env.Directory);
        using var known = new DhcpClient(program, env.Clients[1], env.Directory);

        DhcpLease lease = unknown.Obtain();
        Assert.True(IsInRange(lease.Address, 150, 199), $"{lease.Address} is not from dnsmasq's range:\n{server.Log}");
        Assert.Equal((DhcpSwitch.ServerAddress, "255.255.255.0", 600), (lease.ServerId, lease.Mask, lease.LeaseSeconds));
        Assert.Equal((0, 0), (env.Dhcp("offered"), env.Dhcp("acked")));
        // At least the DISCOVER and the REQUEST went past the responder to dnsmasq.
        Assert.True(env.Dhcp("forwarded-not-in-table") >= 2, $"forwarded-not-in-table = {env.Dhcp("forwarded-not-in-table")}");

        // With a server on the segment, a host the table knows still gets its table lease, from the switch.
        Assert.Equal(TableLease("198.18.0.11"), known.Obtain());
        Assert.Equal((1, 1), (env.Dhcp("offered"), env.Dhcp("acked")));
    }

    [Fact]
    public void EthersAdd_NewMac_NextDiscoverAnsweredAtOnce()
    {
        Privileges.RequireRoot();
        const string newMac = "02:00:00:00:00:21";
        using var env = new DhcpSwitch(PortKind.AfPacket, Hosts, Ethers, [newMac]);
        using var client = new DhcpClient(DhcpClientProgram.Udhcpc, env.Clients[0], env.Directory);

        // One DISCOVER each time: a lease on that one means it was answered at once.
        Assert.Null(client.TryObtain(discovers: 1, pauseSeconds: 2));
        Assert.Equal((0, 1), (env.Dhcp("offered"), env.Dhcp("forwarded-not-in-table")));

        Sh.Result add = env.Daemon.Ctl("ethers", "add", newMac, "198.18.0.21");
        Assert.True(add.ExitCode == 0, add.Stderr + add.Stdout);
        Assert.Equal(TableLease("198.18.0.21"), client.TryObtain(discovers: 1, pauseSeconds: 2) ?? throw new Xunit.Sdk.XunitException(client.Output));
        Assert.Equal((1, 1), (env.Dhcp("offered"), env.Dhcp("acked")));

        Sh.Result del = env.Daemon.Ctl("ethers", "del", newMac);
        Assert.True(del.ExitCode == 0, del.Stderr + del.Stdout);
        Assert.Null(client.TryObtain(discovers: 1, pauseSeconds: 2));
        Assert.Equal((1, 2), (env.Dhcp("offered"), env.Dhcp("forwarded-not-in-table")));
    }

    [Theory]
    [InlineData(PortKind.Tap)]
    [InlineData(PortKind.AfPacket)]
    public void Udhcpc_Renew_UnicastToServerIdentifier_AckedBySwitch(PortKind kind)
    {
        Privileges.RequireRoot();
        using var env = new DhcpSwitch(kind, Hosts, Ethers, [DirectMac]);
        using var client = new DhcpClient(DhcpClientProgram.Udhcpc, env.Clients[0], env.Directory);
        client.StartUdhcpc();
        DhcpLease lease = client.AwaitLease();
        env.Clients[0].Exec("ip", "addr", "add", $"{lease.Address}/{lease.PrefixLength}", "dev", "eth0");

        // RENEWING: a unicast REQUEST from the leased address to the server identifier, which the
        // client must first resolve with ARP; the switch answers both from its tables.
        Assert.Equal(lease, client.Renew());
        // One OFFER; the first ACK and the renewal's. udhcpc may send the renewing REQUEST again when
        // the first one waited on ARP (RFC 2131 4.4.5 retransmits): each is ACKed, so at least two.
        Assert.Equal(1, env.Dhcp("offered"));
        Assert.InRange(env.Dhcp("acked"), 2, 4);
        Assert.True(env.Daemon.Counter("peephole/arp/replied") >= 1, client.Output);
    }

    [Fact]
    public void Udhcpc_AddressInUse_DeclinedOnce_NotOfferedAgainDuringBackOff()
    {
        Privileges.RequireRoot();
        using var env = new DhcpSwitch(PortKind.AfPacket, Hosts, Ethers, [DirectMac], serverHost: true);
        // A host that took the client's table address by hand answers udhcpc's ARP check.
        env.Server!.Exec("ip", "addr", "add", "198.18.0.11/24", "dev", "eth0");
        using var client = new DhcpClient(DhcpClientProgram.Udhcpc, env.Clients[0], env.Directory);
        // -A 2: udhcpc starts over 2 s after a DECLINE (default 20), so a switch that offered the
        // same address again would see a DECLINE every few seconds.
        client.StartUdhcpc("-a", "-A", "2");
        for (int i = 0; i < 100 && env.Dhcp("declined") == 0; i++) Thread.Sleep(200);
        Assert.True(env.Dhcp("declined") >= 1, client.Output);
        Assert.True(env.Dhcp("acked") >= 1);

        // Its DISCOVERs go on, forwarded to whatever real server there is; none gets an OFFER.
        Thread.Sleep(TimeSpan.FromSeconds(15));
        Assert.True(env.Dhcp("forwarded-declined-back-off") >= 2, client.Output);
        Assert.True((1, 1) == (env.Dhcp("declined"), env.Dhcp("offered")),
            $"declined {env.Dhcp("declined")}, offered {env.Dhcp("offered")}:\n{client.Output}");
        // The daemon says so in its log too, within a supervision interval.
        for (int i = 0; i < 30 && !env.Daemon.Log.Contains("DECLINE", StringComparison.Ordinal); i++) Thread.Sleep(200);
        Assert.Contains("not offered to that client again for 10 minutes", env.Daemon.Log);
    }

    private static bool IsInRange(string address, int first, int last)
    {
        string[] octets = address.Split('.');
        return octets.Length == 4 && address.StartsWith("198.18.0.", StringComparison.Ordinal)
            && int.TryParse(octets[3], System.Globalization.CultureInfo.InvariantCulture, out int host) && host >= first && host <= last;
    }
}
