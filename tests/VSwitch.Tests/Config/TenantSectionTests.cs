using VSwitch.Daemon.Config;

namespace VSwitch.Tests.Config;

/// <summary>The config file's <c>[tenant NAME]</c> sections: what they set, and every refusal with its file and line.</summary>
public class TenantSectionTests
{
    private static (SwitchConfig? Config, List<ConfigError> Errors) Read(string text)
    {
        var errors = new List<ConfigError>();
        SwitchConfig? config = ConfigKeys.ApplyAll(new SwitchConfig(), ConfigFileReader.Parse("t.conf", text, errors), errors);
        return (errors.Count == 0 ? config : null, errors);
    }

    [Fact]
    public void Parse_TwoSections_EachTenantGetsItsKeysAndTheDefaultKeepsTheRest()
    {
        var (config, errors) = Read("""
            hosts = /srv/hosts
            zone = lab
            table-vlans = 1,5
            dhcp = 198.18.9.0/24,vlan=5

            [tenant blue]
            vlans = 10,20
            ports = vs2,vs3
            hosts = /srv/blue/hosts
            ethers = /srv/blue/ethers
            zone = blue.local
            zone = corp
            dns-ttl = 30
            dns-soa-serial = 7
            dns-edns-size = 1400
            dhcp = 198.18.0.0/24,router=198.18.0.1,dns=198.18.0.53,vlan=10
            peephole-rate-limit = 500

              [ tenant  green ]
            # a comment inside a section
            vlans = 30-32
            """);
        Assert.Empty(errors);
        Assert.Equal("/srv/hosts", config!.HostsPath);
        Assert.Equal(["lab"], config.Zones);
        Assert.Equal([1, 5], config.DefaultTenantVlans);
        Assert.Equal(["blue", "green"], config.Tenants.Select(t => t.Name));

        TenantConfig blue = config.Tenants[0];
        Assert.Equal([10, 20], blue.Vlans);
        Assert.Equal(["vs2", "vs3"], blue.Ports);
        Assert.Equal(("/srv/blue/hosts", "/srv/blue/ethers"), (blue.HostsPath, blue.EthersPath));
        Assert.Equal(["blue.local", "corp"], blue.Zones);
        Assert.Equal((30u, 7u, (ushort)1400), (blue.DnsTtl, blue.DnsSoaSerial, blue.DnsUdpPayloadSize));
        Assert.Equal(10, Assert.Single(blue.DhcpScopes).Vlan);
        Assert.Equal(500, blue.PeepholeRateLimit);
        Assert.Equal(("t.conf", 6), (blue.Source, blue.Line));

        // A section inherits nothing from the keys above it.
        TenantConfig green = config.Tenants[1];
        Assert.Equal([30, 31, 32], green.Vlans);
        Assert.Equal((null, null), (green.HostsPath, green.EthersPath));
        Assert.Empty(green.Zones);
        Assert.Equal(60u, green.DnsTtl);
        Assert.Null(green.PeepholeRateLimit);
    }

    [Fact]
    public void Parse_PortsOnly_IsATenant_AndItsDhcpScopeMayServeAnyVlan()
    {
        var (config, errors) = Read("[tenant p]\nports = vs9\ndhcp = 198.18.0.0/24,vlan=77\n");
        Assert.Empty(errors);
        Assert.Equal(["vs9"], Assert.Single(config!.Tenants).Ports);
    }

    [Fact]
    public void ResolveDefaults_NoneInASection_MeansNoTable()
    {
        var (config, _) = Read("[tenant a]\nvlans = 10\nhosts = none\nethers = /srv/e\n");
        TenantConfig a = Assert.Single(config!.ResolveDefaults().Tenants);
        Assert.Equal((null, "/srv/e"), (a.HostsPath, a.EthersPath));
    }

    [Fact]
    public void CommandLine_AfterAFileWithSections_KeepsTheTenants()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("vsconf").FullName, "vswitchd.conf");
        File.WriteAllText(file, "[tenant blue]\nvlans = 10\n");
        CommandLineResult r = CommandLine.Parse(["--config", file, "--dns-ttl", "5"]);
        Assert.Empty(r.Errors);
        Assert.Equal("blue", Assert.Single(r.Config!.Tenants).Name);
        Assert.Equal(5u, r.Config.DnsTtl);

        // The command line's table-vlans is checked against the file's tenants too.
        CommandLineResult clash = CommandLine.Parse(["--config", file, "--table-vlans", "1,10"]);
        Assert.StartsWith(file + ":2: vlans: VLAN 10 belongs to the default tenant", Assert.Single(clash.Errors).ToString(), StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Theory]
    [InlineData("[tenant blue]\nvlans = 10\n[tenant blue]\nvlans = 20", "t.conf:3: tenant 'blue' is declared twice (first at t.conf:1)")]
    [InlineData("[tenant blue]\nvlans = 10\n[tenant BLUE]\nvlans = 20", "t.conf:3: tenant 'BLUE' is declared twice")]
    [InlineData("[tenant blue]\nhosts = /srv/h", "t.conf:1: tenant 'blue' has neither vlans nor ports")]
    [InlineData("[tenant blue]\nvlans = 10\nbogus = 1", "t.conf:3: unknown key 'bogus' in [tenant blue]; a tenant takes vlans, ports, hosts")]
    [InlineData("[tenant blue]\nvlans = 10\nport = tap:vs0", "t.conf:3: 'port' is a switch-wide key and cannot be given per tenant")]
    [InlineData("[tenant blue]\nvlans = 10\nvlans = 20", "t.conf:3: 'vlans' is given twice in [tenant blue] (first at line 2)")]
    [InlineData("[tenant blue]\nvlans = 0", "t.conf:2: vlans: trunk VLAN '0' is not a number or range within 1-4094")]
    [InlineData("[tenant blue]\nvlans = 10\ndns-ttl = x", "t.conf:3: dns-ttl: 'x' is not a whole number")]
    [InlineData("[tenant blue]\nports = a,,b", "t.conf:2: ports: an empty port name")]
    [InlineData("[tenant blue]\nports = a,a", "t.conf:2: ports: a port is named twice")]
    [InlineData("[tenant a]\nvlans = 10,20\n\n[tenant b]\nvlans = 30,20", "t.conf:5: vlans: VLAN 20 belongs to tenant 'a' already (t.conf:2)")]
    [InlineData("[tenant a]\nvlans = 1", "t.conf:2: vlans: VLAN 1 belongs to the default tenant")]
    [InlineData("dhcp = 198.18.0.0/24,vlan=7\n[tenant a]\nvlans = 7", "t.conf:3: vlans: VLAN 7 belongs to the default tenant")]
    [InlineData("[tenant a]\nports = vs2\n[tenant b]\nvlans = 9\nports = vs3,vs2", "t.conf:5: ports: port 'vs2' belongs to tenant 'a' already (t.conf:2)")]
    [InlineData("[tenant a]\nvlans = 10\ndhcp = 198.18.0.0/24,vlan=20", "t.conf:3: dhcp: the scope serves VLAN 20, which is not one of tenant 'a''s VLANs")]
    [InlineData("[tenant a]\nvlans = 10\ndhcp = 198.18.0.0/24", "t.conf:3: dhcp: the scope serves VLAN 1")]
    [InlineData("[tenant default]\nvlans = 10", "t.conf:1: 'default' is the tenant of the keys outside any section")]
    [InlineData("[tenant -x]\nvlans = 10", "t.conf:1: tenant name '-x' may hold only letters")]
    [InlineData("[tenant a/b]\nvlans = 10", "t.conf:1: tenant name 'a/b' may hold only letters")]
    [InlineData("[tenant aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\nvlans = 10", "t.conf:1: a tenant name has 1 to 32 characters, not 33")]
    [InlineData("[tenant]\nvlans = 10", "t.conf:1: expected a section header '[tenant NAME]', found '[tenant]'")]
    [InlineData("[bridge x]\nvlans = 10", "t.conf:1: expected a section header '[tenant NAME]', found '[bridge x]'")]
    [InlineData("[tenant a\nvlans = 10", "t.conf:1: expected a section header '[tenant NAME]', found '[tenant a'")]
    [InlineData("[tenant a b]\nvlans = 10", "t.conf:1: expected a section header '[tenant NAME]'")]
    public void Parse_BadSection_RefusedWithFileLineAndReason(string text, string expected)
    {
        var (config, errors) = Read(text);
        Assert.Null(config);
        Assert.StartsWith(expected, Assert.Single(errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadHeader_ItsKeysAreNotTakenForTheDefaultTenants()
    {
        var (_, errors) = Read("[tenant x y]\nhosts = /srv/h\nmac-aging = 0\n");
        // Only the header is reported: its keys belong to no tenant and are not read as switch keys.
        Assert.Equal([1], errors.Select(e => e.Line));
    }

    [Fact]
    public void Parse_SeveralBadSections_EveryOneReported()
    {
        var (_, errors) = Read("[tenant a]\nvlans = 10\n[tenant b]\nvlans = 10\n[tenant c]\nzone = x\n[tenant a]\nvlans = 40\n");
        Assert.Equal([4, 5, 7], errors.Select(e => e.Line).Order());
    }

    [Fact]
    public void EveryTenantKey_IsDocumentedInTheTenantsSectionOfConfigurationMd()
    {
        string docs = File.ReadAllText(Path.Combine(ConfigFileReaderTests.RepoRoot(), "docs", "configuration.md"));
        string tenants = docs[docs.IndexOf("## Tenants", StringComparison.Ordinal)..];
        Assert.All(TenantSections.Keys, k => Assert.Contains($"`{k}`", tenants, StringComparison.Ordinal));
        Assert.Contains("[tenant NAME]", tenants, StringComparison.Ordinal);
    }
}
