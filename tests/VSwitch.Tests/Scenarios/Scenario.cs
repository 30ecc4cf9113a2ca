using PacketDotNet;
namespace VSwitch.Tests.Scenarios;

/// <summary>
/// One capture scenario: a topology, the frames each port receives and when, and the scenario's
/// own model of what every port must emit and which counters must move.
/// </summary>
/// <remarks>Expected outputs are written here by hand, frame by frame, from what a learning switch
/// must do; they are never recorded from the switch. The generator turns each scenario into the
/// files under captures/, and the replay test runs those files through the real pipeline.</remarks>
public sealed class Scenario(string path, string description)
{
    /// <summary>Capture-time origin: 2026-01-01T00:00:00Z, so tcpdump shows plausible times.</summary>
    public const long EpochSeconds = 1_767_225_600;

    /// <summary><c>area/name</c>, the folder under captures/.</summary>
    public string Path { get; } = path;
    public string Description { get; } = description;
    public int? MacTableSize { get; private set; }
    public int? MacAgingSeconds { get; private set; }
    public List<ScenarioPort> Ports { get; } = [];

    /// <summary>The hosts table (hosts-file text), or null for a scenario without a responder.</summary>
    public string? Hosts { get; private set; }
    /// <summary>The neighbour table (ethers-file text).</summary>
    public string? Ethers { get; private set; }
    public List<string> Zones { get; } = [];
    public int? DnsTtl { get; private set; }
    /// <summary>The server name of NS answers at a zone apex (<c>dns-ns-name</c>), or null.</summary>
    public string? NsName { get; private set; }
    /// <summary>The switch's own DNS addresses (<c>dns-address</c>).</summary>
    public List<string> DnsAddresses { get; } = [];
    /// <summary>The VLANs the tables answer for (default: VLAN 1).</summary>
    public List<ushort> TableVlans { get; } = [];
    /// <summary>DHCP scopes, as the <c>dhcp</c> config key writes them.</summary>
    public List<string> DhcpScopes { get; } = [];
    public List<ScenarioInput> Inputs { get; } = [];
    public Dictionary<string, List<byte[]>> Outputs { get; } = [];
    public SortedDictionary<string, long> Counters { get; } = new(StringComparer.Ordinal);

    public Scenario WithMacTable(int? size = null, int? agingSeconds = null)
    {
        MacTableSize = size;
        MacAgingSeconds = agingSeconds;
        return this;
    }

    /// <summary>Turns the responder on with these tables, answering for <paramref name="vlans"/> (default VLAN 1).</summary>
    public Scenario WithTables(string hosts, string ethers, string[]? zones = null, int? ttl = null, ushort[]? vlans = null, string[]? dhcp = null,
        string? nsName = null, string[]? dnsAddresses = null)
    {
        NsName = nsName;
        DnsAddresses.AddRange(dnsAddresses ?? []);
        DhcpScopes.AddRange(dhcp ?? []);
        Hosts = hosts;
        Ethers = ethers;
        Zones.AddRange(zones ?? []);
        DnsTtl = ttl;
        TableVlans.AddRange(vlans ?? []);
        return this;
    }

    public Scenario Port(string name, string vlans = "access:1", int mtu = 1500)
    {
        Ports.Add(new ScenarioPort(name, vlans, mtu));
        Outputs[name] = [];
        return this;
    }

    /// <summary>Port <paramref name="port"/> receives <paramref name="frame"/> at <paramref name="seconds"/> after the epoch, and each of <paramref name="expected"/> must emit it.</summary>
    public Scenario Send(double seconds, string port, byte[] frame, params string[] expected) =>
        Send(seconds, port, frame, expected.Select(p => (p, frame)).ToArray());

    /// <summary>Port <paramref name="port"/> receives <paramref name="frame"/>, and each of <paramref name="expected"/> must emit <paramref name="output"/> instead.</summary>
    public Scenario Send(double seconds, string port, byte[] frame, byte[] output, params string[] expected) =>
        Send(seconds, port, frame, expected.Select(p => (p, output)).ToArray());

    /// <summary>As <see cref="Send(double,string,byte[],string[])"/>, when a port must emit a different byte sequence (tagged, untagged).</summary>
    public Scenario Send(double seconds, string port, byte[] frame, params (string Port, byte[] Frame)[] expected)
    {
        if (Inputs.Count > 0 && seconds <= Inputs[^1].Seconds)
            throw new ArgumentException("Inputs must be in strictly increasing time order, one frame per instant.");
        Inputs.Add(new ScenarioInput(seconds, port, frame));
        foreach (var (p, f) in expected) Outputs[p].Add(f);
        return this;
    }

    /// <summary>Port <paramref name="port"/> receives <paramref name="frame"/> and no port may emit it.</summary>
    public Scenario Dropped(double seconds, string port, byte[] frame) => Send(seconds, port, frame, Array.Empty<string>());

    /// <summary>A counter the replay must find at this value.</summary>
    public Scenario Counter(string path, long value)
    {
        Counters[path] = value;
        return this;
    }

    /// <summary>Adds the counters every scenario implies: each port's rx and tx packets.</summary>
    /// <summary>Frame slots of the pool a scenario is replayed with.</summary>
    public const int ReplayPoolSlots = 256;

    public SortedDictionary<string, long> AllCounters()
    {
        var all = new SortedDictionary<string, long>(Counters, StringComparer.Ordinal);
        foreach (ScenarioPort p in Ports)
        {
            all.TryAdd($"port/{p.Name}/rx-packets", Inputs.Count(i => i.Port == p.Name));
            all.TryAdd($"port/{p.Name}/tx-packets", Outputs[p.Name].Count);
            all.TryAdd($"port/{p.Name}/rx-bytes", Inputs.Where(i => i.Port == p.Name).Sum(i => (long)i.Frame.Length));
            all.TryAdd($"port/{p.Name}/tx-bytes", Outputs[p.Name].Sum(f => (long)f.Length));
        }
        // Scenarios with tables have the one default tenant: its counters are the switch-wide ones,
        // and when one port asks every question, so are that port's.
        foreach (var (path, value) in Counters.Where(c => c.Key.StartsWith("peephole/", StringComparison.Ordinal)).ToList())
        {
            if (Hosts is not null) all.TryAdd("tenant/default/" + path, value);
            string[] asking = PortsSending(path.Split('/')[1]);
            if (asking.Length == 1) all.TryAdd($"port/{asking[0]}/" + path, value);
        }
        // The replay's frame pool: every slot back at the end.
        all.TryAdd("frames/pool-slots", ReplayPoolSlots);
        all.TryAdd("frames/pool-available", ReplayPoolSlots);
        return all;
    }

    // The ports that receive frames a responder looks at (arp, nd, dns, dhcp), read by PacketDotNet
    // rather than by the classifier under test.
    private string[] PortsSending(string responder) =>
        Inputs.Where(i => Kind(i.Frame) == responder).Select(i => i.Port).Distinct().ToArray();

    private static string? Kind(byte[] frame)
    {
        try
        {
            Packet packet = Packet.ParsePacket(LinkLayers.Ethernet, frame);
            if (packet.Extract<ArpPacket>() is not null) return "arp";
            if (packet.Extract<IcmpV6Packet>() is { } icmp && (int)icmp.Type is >= 133 and <= 137) return "nd";
            if (packet.Extract<UdpPacket>() is { } udp)
                return udp.DestinationPort == 53 ? "dns" : udp.DestinationPort is 67 or 68 ? "dhcp" : null;
            if (packet.Extract<TcpPacket>() is { DestinationPort: 53 }) return "dns";
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            // A malformed frame belongs to no responder's count here.
        }
        return null;
    }

    public override string ToString() => Path;
}

public sealed record ScenarioPort(string Name, string Vlans, int Mtu);

public sealed record ScenarioInput(double Seconds, string Port, byte[] Frame)
{
    public long Nanoseconds => (Scenario.EpochSeconds * 1_000_000) * 1000 + (long)Math.Round(Seconds * 1_000_000) * 1000;
}
