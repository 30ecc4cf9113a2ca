using System.Globalization;
using VSwitch.IntegrationTests.Infrastructure;
using PortKind = VSwitch.IntegrationTests.Daemon.DaemonScenarioTests.PortKind;

namespace VSwitch.IntegrationTests.Dhcp;

/// <summary>
/// vswitchd started as a user would, answering DHCP for <see cref="Scope"/> from hosts and ethers
/// files in a temp dir; one client host per MAC, whose eth0 has that MAC and no IPv4 address; and
/// optionally a server host at <see cref="ServerAddress"/> for a real DHCP server. No DHCP server
/// runs unless a test starts one. Everything made is removed on dispose, also when setup fails.
/// </summary>
public sealed class DhcpSwitch : IDisposable
{
    /// <summary>The scope the daemon serves: the DNS server is an ethers-table address, so the switch answers its ARP and DNS too.</summary>
    public const string Scope = "198.18.0.0/24,router=198.18.0.1,dns=198.18.0.53,domain=cluster.local,lease=600";
    public const string ServerAddress = "198.18.0.2";

    private readonly List<IDisposable> _owned = [];
    private readonly List<string> _tapNames = [];

    public DhcpSwitch(PortKind kind, string hosts, string ethers, IReadOnlyList<string> clientMacs, bool serverHost = false)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("vsit-dhcp-").FullName;
        try
        {
            Setup(kind, hosts, ethers, clientMacs, serverHost);
        }
        catch
        {
            // A failed setup must not leave namespaces, links or processes behind.
            Dispose();
            throw;
        }
    }

    /// <summary>The test's temp dir: tables, control socket, client scripts and lease files.</summary>
    public string Directory { get; }

    public DaemonProcess Daemon { get; private set; } = null!;

    /// <summary>The client hosts, in the order of their MACs.</summary>
    public IReadOnlyList<NetNamespace> Clients { get; private set; } = [];

    /// <summary>The server host, when asked for.</summary>
    public NetNamespace? Server { get; private set; }

    /// <summary>A DHCP counter, <c>peephole/dhcp/NAME</c>, from <c>vswitchctl --json stats</c>.</summary>
    public long Dhcp(string name) => Daemon.Counter("peephole/dhcp/" + name);

    private void Setup(PortKind kind, string hosts, string ethers, IReadOnlyList<string> clientMacs, bool serverHost)
    {
        string hostsPath = Path.Combine(Directory, "hosts"), ethersPath = Path.Combine(Directory, "ethers");
        File.WriteAllText(hostsPath, hosts + "\n");
        File.WriteAllText(ethersPath, ethers + "\n");
        int count = clientMacs.Count + (serverHost ? 1 : 0);
        var namespaces = new List<NetNamespace>();
        for (int i = 0; i < count; i++)
        {
            var ns = new NetNamespace(i < clientMacs.Count ? "dhcpc" : "dhcps");
            _owned.Add(ns);
            namespaces.Add(ns);
        }

        var ports = new List<string>();
        var hostSides = new List<string>();
        string pid = (Environment.ProcessId % 100000).ToString(CultureInfo.InvariantCulture);
        for (int i = 0; i < count; i++)
        {
            if (kind == PortKind.Tap)
            {
                string tap = $"vsit{pid}c{i}";
                _tapNames.Add(tap);
                ports.Add($"tap:{tap}");
                hostSides.Add(tap);
            }
            else
            {
                var pair = new VethPair();
                _owned.Add(pair);
                ports.Add($"afpacket:{pair.SwitchSide}");
                hostSides.Add(pair.HostSide);
            }
        }
        Daemon = new DaemonProcess(Path.Combine(Directory, "vswitchd.sock"),
            [.. ports.SelectMany(p => new[] { "--port", p }), "--hosts", hostsPath, "--ethers", ethersPath,
             "--zone", "cluster.local", "--dns-ttl", "60", "--dhcp", Scope]);

        for (int i = 0; i < clientMacs.Count; i++)
            namespaces[i].Adopt(hostSides[i], "eth0", ipv4Cidr: null, mac: clientMacs[i]);
        if (serverHost)
        {
            Server = namespaces[^1];
            Server.Adopt(hostSides[^1], "eth0", ServerAddress + "/24", mac: "02:00:00:00:00:02");
        }
        Clients = namespaces.Take(clientMacs.Count).ToList();
    }

    public void Dispose()
    {
        Daemon?.Dispose();
        foreach (IDisposable d in Enumerable.Reverse(_owned)) d.Dispose();
        // TAP devices moved into the hosts' namespaces went with them; one never moved is removed here.
        foreach (string tap in _tapNames) Sh.Try("ip", "link", "del", tap);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
