using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpPcap;
using SharpPcap.LibPcap;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Scenarios;

/// <summary>How a scenario is laid out on disk under captures/, and the code that writes and reads it.</summary>
/// <remarks>
/// <c>in.PORT.pcap</c>: frames the port receives (only ports that receive any);
/// <c>out.PORT.pcap</c>: frames the port must emit, in order (every port, possibly empty);
/// <c>scenario.json</c>: the topology and switch options; <c>counters.json</c>: counter paths and the
/// values they must have after the replay; <c>README.md</c>: what the scenario shows.
/// </remarks>
public static class ScenarioFiles
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The repository's captures/ folder, found by walking up from the test binaries.</summary>
    public static string CapturesRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "VSwitch.sln"))) return Path.Combine(dir.FullName, "captures");
            }
            throw new DirectoryNotFoundException("No VSwitch.sln above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Writes every file of <paramref name="scenario"/> into <paramref name="dir"/>.</summary>
    public static void Write(Scenario scenario, string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (ScenarioPort port in scenario.Ports)
        {
            var inputs = scenario.Inputs.Where(i => i.Port == port.Name).Select(i => (i.Nanoseconds, i.Frame)).ToList();
            if (inputs.Count > 0) WritePcap(Path.Combine(dir, $"in.{port.Name}.pcap"), inputs);
            // Expected outputs carry no meaningful time; they are compared by bytes only.
            long t = Scenario.EpochSeconds * 1_000_000_000;
            WritePcap(Path.Combine(dir, $"out.{port.Name}.pcap"), scenario.Outputs[port.Name].Select(f => (t, f)).ToList());
        }
        var topology = new ScenarioTopology(scenario.Description, scenario.MacTableSize, scenario.MacAgingSeconds,
            scenario.Ports.Select(p => new ScenarioTopologyPort(p.Name, p.Vlans, p.Mtu)).ToList())
        {
            Tables = scenario.Hosts is null ? null
                : new ScenarioTables(scenario.Zones, scenario.DnsTtl, scenario.TableVlans.Count > 0 ? scenario.TableVlans : null, scenario.NsName,
                    scenario.DnsAddresses.Count > 0 ? scenario.DnsAddresses : null)
                {
                    Dhcp = scenario.DhcpScopes.Count > 0 ? scenario.DhcpScopes : null,
                },
        };
        if (scenario.Hosts is not null)
        {
            File.WriteAllText(Path.Combine(dir, "hosts"), scenario.Hosts);
            File.WriteAllText(Path.Combine(dir, "ethers"), scenario.Ethers ?? "");
        }
        File.WriteAllText(Path.Combine(dir, "scenario.json"), JsonSerializer.Serialize(topology, Json) + "\n");
        File.WriteAllText(Path.Combine(dir, "counters.json"), JsonSerializer.Serialize(scenario.AllCounters(), Json) + "\n");
        File.WriteAllText(Path.Combine(dir, "README.md"), Readme(scenario));
    }

    public static ScenarioTopology ReadTopology(string dir) =>
        JsonSerializer.Deserialize<ScenarioTopology>(File.ReadAllText(Path.Combine(dir, "scenario.json")), Json)
        ?? throw new InvalidDataException(dir + "/scenario.json is empty");

    public static SortedDictionary<string, long> ReadCounters(string dir) =>
        JsonSerializer.Deserialize<SortedDictionary<string, long>>(File.ReadAllText(Path.Combine(dir, "counters.json")), Json)
        ?? throw new InvalidDataException(dir + "/counters.json is empty");

    /// <summary>Every frame of a capture file, in order.</summary>
    public static List<byte[]> ReadPcap(string path)
    {
        var frames = new List<byte[]>();
        using var reader = new CaptureFileReaderDevice(path);
        reader.Open(new DeviceConfiguration());
        while (reader.GetNextPacket(out PacketCapture capture) == GetPacketStatus.PacketRead)
            frames.Add(capture.Data.ToArray());
        return frames;
    }

    public static void WritePcap(string path, IReadOnlyList<(long Nanoseconds, byte[] Frame)> frames)
    {
        using var writer = new CaptureFileWriterDevice(path, FileMode.Create);
        writer.Open(new DeviceConfiguration { LinkLayerType = PacketDotNet.LinkLayers.Ethernet, Snaplen = 262144 });
        foreach (var (ns, frame) in frames)
        {
            var header = new PcapHeader((uint)(ns / 1_000_000_000), (uint)(ns % 1_000_000_000 / 1000), (uint)frame.Length, (uint)frame.Length);
            writer.Write(frame, ref header);
        }
    }

    private static string Readme(Scenario s)
    {
        var b = new StringBuilder();
        b.Append("# ").Append(s.Path).Append("\n\n").Append(s.Description).Append("\n\n");
        b.Append("Ports: ").AppendJoin(", ", s.Ports.Select(p => $"{p.Name} ({p.Vlans}, MTU {p.Mtu})")).Append(".\n");
        if (s.MacTableSize is not null || s.MacAgingSeconds is not null)
            b.Append("MAC table: ").Append(s.MacTableSize?.ToString() ?? "default").Append(" entries, aging ")
             .Append(s.MacAgingSeconds?.ToString() ?? "default").Append(" s.\n");
        b.Append("\nGenerated by tests/VSwitch.Tests/Scenarios (").Append(s.Path.Split('/')[0])
         .Append("); regenerate with `VSWITCH_REGENERATE=1 dotnet test --filter Category=Captures`.\n");
        return b.ToString();
    }
}

public sealed record ScenarioTopology(string Description, int? MacTableSize, int? MacAgingSeconds, List<ScenarioTopologyPort> Ports)
{
    /// <summary>Present when the responder is on: the tables are the folder's <c>hosts</c> and <c>ethers</c> files.</summary>
    public ScenarioTables? Tables { get; init; }
}

public sealed record ScenarioTables(List<string> Zones, int? DnsTtl, List<ushort>? Vlans, string? NsName = null, List<string>? DnsAddresses = null)
{
    /// <summary>The DNS settings these tables are served with, as the daemon builds them from its keys.</summary>
    [JsonIgnore]
    public DnsSettings Dns => new()
    {
        Zones = Zones, Ttl = (uint)(DnsTtl ?? 60), NsName = NsName,
        Addresses = [.. (DnsAddresses ?? []).Select(System.Net.IPAddress.Parse)],
    };

    /// <summary>DHCP scopes (the <c>dhcp</c> config key's syntax), or null.</summary>
    public List<string>? Dhcp { get; init; }
}

public sealed record ScenarioTopologyPort(string Name, string Vlans, int Mtu);
