using System.Net;
using VSwitch.Datapath.Tables;

namespace VSwitch.Benchmarks;

/// <summary>Tables for benchmarks: a handful of names, or a million.</summary>
public static class BenchTables
{
    public static readonly DnsSettings Settings = new() { Zones = ["cluster.local"] };

    /// <summary>web.cluster.local (198.18.0.20, 02:..:20) plus <paramref name="extra"/> generated names
    /// <c>hN.bench.cluster.local</c> with addresses from 198.18.0.0/15 and neighbours for the first 64k.</summary>
    public static PeepholeTables Build(int extra)
    {
        var hosts = new List<HostsEntry>(extra + 1) { new(IPAddress.Parse("198.18.0.20"), "web.cluster.local", [], 1) };
        var ethers = new List<EthersEntry> { new(0x02_00_00_00_00_20, IPAddress.Parse("198.18.0.20"), null, 1) };
        for (int i = 0; i < extra; i++)
        {
            var address = new IPAddress([198, (byte)(18 + (i >> 16 & 1)), (byte)(i >> 8), (byte)i]);
            hosts.Add(new HostsEntry(address, $"h{i}.bench.cluster.local", [], i + 2));
        }
        return PeepholeTables.Build(hosts, ethers, Settings, "bench", out _);
    }
}
