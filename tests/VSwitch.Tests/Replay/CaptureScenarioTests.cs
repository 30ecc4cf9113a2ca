using VSwitch.Daemon.Tenancy;
using VSwitch.Daemon.Ports.Pcap;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;
using VSwitch.Tests.Scenarios;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Tests.Replay;

/// <summary>
/// Replays every scenario under captures/ through the real forwarding loop with pcap-file ports,
/// and compares every emitted frame, byte for byte, and the counters with what the scenario expects.
/// </summary>
[Trait("Category", "Captures")]
public class CaptureScenarioTests
{
    public static TheoryData<string> CommittedScenarios()
    {
        var data = new TheoryData<string>();
        string root = ScenarioFiles.CapturesRoot;
        foreach (string file in Directory.GetFiles(root, "scenario.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, Path.GetDirectoryName(file)!).Replace('\\', '/'));
        return data;
    }

    public static TheoryData<string> CatalogScenarios() => new(ScenarioCatalog.All.Select(s => s.Path));

    [Theory]
    [MemberData(nameof(CommittedScenarios))]
    public void Replay_Scenario_EmitsExpectedFramesAndCounters(string scenario)
    {
        string dir = Path.Combine(ScenarioFiles.CapturesRoot, scenario);
        ScenarioTopology topology = ScenarioFiles.ReadTopology(dir);
        string outDir = Directory.CreateTempSubdirectory("vswitch-replay-").FullName;
        try
        {
            List<KeyValuePair<string, long>> counters = Replay(dir, topology, outDir);

            var failures = new List<string>();
            foreach (ScenarioTopologyPort port in topology.Ports)
            {
                string received = Path.Combine(outDir, $"out.{port.Name}.pcap");
                if (Environment.GetEnvironmentVariable("VSWITCH_ACCEPT") == "1")
                    File.Copy(received, Path.Combine(dir, $"out.{port.Name}.received.pcap"), overwrite: true);
                string? diff = PcapDiff.Compare($"{scenario} port {port.Name}",
                    ScenarioFiles.ReadPcap(Path.Combine(dir, $"out.{port.Name}.pcap")), ScenarioFiles.ReadPcap(received));
                if (diff is not null) failures.Add(diff);
            }
            var actual = counters.ToDictionary(kv => kv.Key, kv => kv.Value);
            SortedDictionary<string, long> expected = ScenarioFiles.ReadCounters(dir);
            foreach (var (path, value) in expected)
            {
                if (!actual.TryGetValue(path, out long got)) failures.Add($"{scenario}: no counter {path}");
                else if (got != value) failures.Add($"{scenario}: counter {path} is {got}, expected {value}");
            }
            // Every counter the file does not list must be zero, so an unexpected drop, reply or
            // forward fails, except the MAC table's learning (fdb/...) and the per-port and
            // per-tenant copies of the peephole totals, which the totals already pin down.
            foreach (var (path, got) in actual)
            {
                if (got != 0 && !expected.ContainsKey(path) && !IsImpliedByTotals(path))
                    failures.Add($"{scenario}: counter {path} is {got}, not listed (expected 0)");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(CatalogScenarios))]
    public void Generator_Scenario_MatchesCommittedFiles(string path)
    {
        Scenario scenario = ScenarioCatalog.All.Single(s => s.Path == path);
        string committed = Path.Combine(ScenarioFiles.CapturesRoot, path);
        if (Environment.GetEnvironmentVariable("VSWITCH_REGENERATE") == "1")
        {
            ScenarioFiles.Write(scenario, committed);
            return;
        }
        string fresh = Directory.CreateTempSubdirectory("vswitch-gen-").FullName;
        try
        {
            ScenarioFiles.Write(scenario, fresh);
            foreach (string file in Directory.GetFiles(fresh))
            {
                string name = Path.GetFileName(file);
                string other = Path.Combine(committed, name);
                Assert.True(File.Exists(other), $"{path}/{name} is not committed; run with VSWITCH_REGENERATE=1 and review");
                Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(other)),
                    $"{path}/{name} differs from what the generator makes now; regenerate with VSWITCH_REGENERATE=1 and review the diff");
            }
        }
        finally
        {
            Directory.Delete(fresh, recursive: true);
        }
    }

    private static bool IsImpliedByTotals(string path) =>
        path.StartsWith("fdb/", StringComparison.Ordinal) ||
        (path.Contains("/peephole/", StringComparison.Ordinal) && (path.StartsWith("port/", StringComparison.Ordinal) || path.StartsWith("tenant/", StringComparison.Ordinal)));

    /// <summary>Builds the switch the topology describes, with pcap-file ports, and replays it to the end.</summary>
    private static List<KeyValuePair<string, long>> Replay(string dir, ScenarioTopology topology, string outDir)
    {
        using var pool = new FramePool(Scenario.ReplayPoolSlots);
        var clock = new ManualClock();
        var options = new SwitchOptions
        {
            MacTableSize = topology.MacTableSize ?? new SwitchOptions().MacTableSize,
            MacAging = topology.MacAgingSeconds is int s ? TimeSpan.FromSeconds(s) : new SwitchOptions().MacAging,
        };
        var loop = new ForwardingLoop(pool, clock, options);
        // The tables go through the daemon's own wiring: a DaemonTenant, its TableStore's load, and
        // the TenantSet's binding, as vswitchd builds them from its config.
        TenantSet? tenants = null;
        if (topology.Tables is { } t)
        {
            var scopes = new List<DhcpScope>();
            foreach (string text in t.Dhcp ?? [])
            {
                Assert.True(DhcpScope.TryParse(text, out DhcpScope? scope, out string error), error);
                scopes.Add(scope!);
            }
            tenants = new TenantSet([new DaemonTenant(Tenant.DefaultName, t.Vlans ?? [VlanMode.DefaultVlan], [],
                Path.Combine(dir, "hosts"), Path.Combine(dir, "ethers"), t.Dns, scopes, rateLimit: null)]);
            var loads = tenants.ReloadAsync(null, CancellationToken.None).GetAwaiter().GetResult();
            Assert.All(loads, l => Assert.True(l.Result.Ok, l.Result.Error + "\n" + string.Join("\n", l.Result.Details)));
        }
        var ports = new List<PcapFilePort>();
        try
        {
            foreach (ScenarioTopologyPort p in topology.Ports)
            {
                string input = Path.Combine(dir, $"in.{p.Name}.pcap");
                var port = new PcapFilePort(p.Name, File.Exists(input) ? input : null, Path.Combine(outDir, $"out.{p.Name}.pcap"), pool, clock);
                ports.Add(port);
                Assert.True(VlanMode.TryParse(p.Vlans, out VlanMode? vlans, out string error), error);
                loop.AddPort(port, new PortConfig(vlans!, p.Mtu));
            }
            if (tenants is not null) loop.Peephole.Binding = tenants.Bind(loop.Ports);
            CaptureReplay.Run(loop, clock);
            Assert.Equal(pool.SlotCount, pool.Available);
            return loop.CounterSnapshot();
        }
        finally
        {
            foreach (PcapFilePort port in ports) port.Dispose();
            tenants?.Dispose();
        }
    }
}
