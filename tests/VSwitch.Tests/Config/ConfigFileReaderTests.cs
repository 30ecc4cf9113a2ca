using VSwitch.Daemon.Config;

namespace VSwitch.Tests.Config;

public class ConfigFileReaderTests
{
    private static (SwitchConfig? Config, List<ConfigError> Errors) Read(string text)
    {
        var errors = new List<ConfigError>();
        SwitchConfig? config = ConfigKeys.ApplyAll(new SwitchConfig(), ConfigFileReader.Parse("vswitchd.conf", text, errors), errors);
        return (errors.Count == 0 ? config : null, errors);
    }

    [Fact]
    public void Parse_EveryKind_OfSetting()
    {
        var (config, errors) = Read("""
            # a comment
              # an indented comment

            port = tap:vs0
            port=tap:vs1,vlan=20,mtu=9000
            hosts = /srv/hosts#1   # a comment; the '#' in the path is not one
            ethers = none
            zone = lab.
            zone = example.org
            dns-ttl = 30
            table-vlans = 1,20-22
            control = /tmp/x.sock
            control-mode = 0600
            mac-aging = 600
            mac-table-size = 1024
            idle = sleep
            frame-pool-slots = 512
            log-level = debug
            """);
        Assert.Empty(errors);
        Assert.Equal(["vs0", "vs1"], config!.Ports.Select(p => p.Name));
        Assert.Equal(20, config.Ports[1].Config.Vlans.AccessVlan);
        Assert.Equal("/srv/hosts#1", config.HostsPath);
        Assert.Equal("none", config.EthersPath);
        Assert.Equal(["lab", "example.org"], config.Zones);
        Assert.Equal(30u, config.DnsTtl);
        Assert.Equal([1, 20, 21, 22], config.TableVlans);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, config.ControlMode);
        Assert.Equal(TimeSpan.FromSeconds(600), config.MacAging);
        Assert.Equal(1024, config.MacTableSize);
        Assert.Equal(0, config.Idle.SpinMicroseconds);
        Assert.Equal(512, config.FramePoolSlots);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, config.LogLevel);
        Assert.Null(config.ResolveDefaults().EthersPath);
    }

    [Fact]
    public void Parse_ConformanceSettings_NsNameInfiniteLeaseAndMtu()
    {
        var (config, errors) = Read("""
            zone = cluster.local
            dns-ns-name = ns.cluster.local.
            dhcp = 198.18.10.0/24,router=198.18.10.1,lease=infinite,vlan=10,mtu=1450
            """);
        Assert.Empty(errors);
        Assert.Equal("ns.cluster.local", config!.Dns.NsName);
        var scope = Assert.Single(config.DhcpScopes);
        Assert.Equal((uint.MaxValue, true, (ushort?)1450), (scope.LeaseSeconds, scope.IsInfinite, scope.Mtu));
    }

    [Theory]
    [InlineData("198.18.0.53", "198.18.0.53")]
    [InlineData("198.18.0.53,2001:db8::53", "198.18.0.53 2001:db8::53")]
    [InlineData("2001:db8::53", "2001:db8::53")]
    public void Parse_DnsAddress_OnePerFamily(string value, string expected)
    {
        var (config, errors) = Read("dns-address = " + value);
        Assert.Empty(errors);
        Assert.Equal(expected, string.Join(' ', config!.Dns.Addresses));
    }

    [Theory]
    [InlineData("198.18.0.2", "198.18.0.2:53")]
    [InlineData("198.18.0.2:5353,2001:db8::2,[2001:db8::3]:54", "198.18.0.2:5353 [2001:db8::2]:53 [2001:db8::3]:54")]
    [InlineData("127.0.0.53", "127.0.0.53:53")]
    public void Parse_DnsUpstream_PortFiftyThreeUnlessGiven(string value, string expected)
    {
        var (config, errors) = Read("dns-upstream = " + value);
        Assert.Empty(errors);
        Assert.Equal(expected, string.Join(' ', config!.DnsUpstreams));
    }

    [Theory]
    [InlineData("dns-upstream = 198.18.0.2:0")]
    [InlineData("dns-upstream = 2001:db8::2:53:x")]
    [InlineData("dns-upstream = 224.0.0.1")]
    [InlineData("dns-upstream = 1.2.3.4,1.2.3.5,1.2.3.6,1.2.3.7,1.2.3.8,1.2.3.9,1.2.3.10,1.2.3.11,1.2.3.12")]
    [InlineData("dns-address = 198.18.0.53,198.18.0.54")]
    [InlineData("dns-address = 127.0.0.1")]
    [InlineData("dns-address = 224.0.0.53")]
    [InlineData("dns-address = ff02::1")]
    [InlineData("dns-address = 53")]
    [InlineData("dns-address = fe80::1%eth0")]
    [InlineData("dhcp = 198.18.0.0/24,mtu=67")]
    [InlineData("dhcp = 198.18.0.0/24,mtu=65536")]
    [InlineData("dhcp = 198.18.0.0/24,lease=forever")]
    [InlineData("dns-ns-name = bad..name")]
    public void Parse_BadConformanceSetting_RefusedWithFileAndLine(string line)
    {
        var (config, errors) = Read(line);
        Assert.Null(config);
        Assert.StartsWith("vswitchd.conf:1: ", Assert.Single(errors).ToString());
    }

    [Theory]
    [InlineData("prot = tap:vs0", "vswitchd.conf:1: unknown key 'prot'")]
    [InlineData("mac_aging = 5", "vswitchd.conf:1: unknown key 'mac_aging' (did you mean 'mac-aging'?)")]
    [InlineData("\n\nmac-aging = 0", "vswitchd.conf:3: mac-aging: '0' is not a whole number from 1 to 86400")]
    [InlineData("mac-aging = ten", "vswitchd.conf:1: mac-aging: 'ten' is not a whole number from 1 to 86400")]
    [InlineData("port tap:vs0", "vswitchd.conf:1: expected 'key = value', found 'port tap:vs0'")]
    [InlineData("port =", "vswitchd.conf:1: 'port' has no value")]
    [InlineData("= x", "vswitchd.conf:1: the line has a value but no key")]
    [InlineData("port = bogus:x", "vswitchd.conf:1: port: port 'bogus:x': unknown kind 'bogus'")]
    [InlineData("idle = lazy", "vswitchd.conf:1: idle: 'lazy' is not one of adaptive, spin, yield, sleep")]
    [InlineData("zone = -bad-", "vswitchd.conf:1: zone: label '-bad-' in name '-bad-' begins with a hyphen")]
    [InlineData("table-vlans = 0", "vswitchd.conf:1: table-vlans: trunk VLAN '0' is not a number or range within 1-4094")]
    [InlineData("control-mode = 999", "vswitchd.conf:1: control-mode: '999' is not an octal permission such as 0660")]
    [InlineData("hosts = a\nhosts = b", "vswitchd.conf:2: 'hosts' is given twice (first at line 1); it takes one value")]
    [InlineData("log-level = loud", "vswitchd.conf:1: log-level: 'loud' is not one of trace, debug, information, warning, error, critical")]
    public void Parse_BadLine_RefusedWithFileLineAndReason(string text, string expected)
    {
        var (config, errors) = Read(text);
        Assert.Null(config);
        Assert.StartsWith(expected, Assert.Single(errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralBadLines_EveryOneReported()
    {
        var (_, errors) = Read("a = 1\nport = tap:vs0\nb = 2\nmac-aging = -1\n");
        Assert.Equal([1, 3, 4], errors.Select(e => e.Line));
    }

    // Found by the config fuzz target (tests/VSwitch.Fuzz/Regressions/config/): a key or value was
    // quoted into its error as written, so a NUL, an escape sequence or a line break in a config
    // file reached the terminal and the log that print vswitchd's errors, and a port spec was
    // quoted whole however long it was.
    [Theory]
    [InlineData("et\0rs = x", @"unknown key 'et\u0000rs'")]
    [InlineData("mac-aging = 1\u001b[2J", @"mac-aging: '1\u001b[2J' is not a whole number")]
    [InlineData("zone = a\rb", @"'a\u000db'")]
    [InlineData("port = afpacket:eth1,tr\0\u0001k=10", @"bad option 'tr\u0000\u0001k=10'")]
    public void Parse_ControlCharacterInAKeyOrValue_IsEscapedInTheError(string line, string quoted)
    {
        var (_, errors) = Read(line);
        string reason = Assert.Single(errors).Reason;
        Assert.Contains(quoted, reason, StringComparison.Ordinal);
        Assert.DoesNotContain(reason, char.IsControl);
    }

    [Fact]
    public void Parse_HugeBadPortSpec_ErrorIsClipped()
    {
        var (_, errors) = Read("port = tap:" + new string('x', 100_000) + ",bad");
        Assert.InRange(Assert.Single(errors).Reason.Length, 1, 400);
    }

    [Fact]
    public void Load_MissingFile_OneErrorAtLineZero()
    {
        var errors = new List<ConfigError>();
        Assert.Null(ConfigFileReader.Load("/nonexistent/vswitchd.conf", new SwitchConfig(), errors));
        Assert.StartsWith("/nonexistent/vswitchd.conf: cannot read the file", Assert.Single(errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryKey_IsDocumentedInConfigurationMd()
    {
        string docs = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "configuration.md"));
        Assert.All(ConfigKeys.All, k => Assert.Contains($"`{k.Name}`", docs, StringComparison.Ordinal));
    }

    internal static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "VSwitch.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("VSwitch.sln not found above the test binaries");
    }

    [Fact]
    public void CommentAfterAValue_StrippedAsDnsmasqDoes_HashInsideAWordKept()
    {
        var (config, errors) = Read("mac-aging = 600   # ten minutes\nhosts = /srv/a#b\nport = tap:vs0\t# the web\n# whole line\n  # indented\n");
        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(600), config!.MacAging);
        Assert.Equal("/srv/a#b", config.HostsPath);
        Assert.Equal(["tap:vs0"], config.Ports.Select(p => p.Text));
    }

    [Fact]
    public void ShippedConfig_ReadsCleanly_AndLeavesEveryDefault()
    {
        CommandLineResult r = CommandLine.Parse(["--config", Path.Combine(RepoRoot(), "packaging", "vswitchd.conf")]);
        Assert.Empty(r.Errors);
        // Nothing set: every value is the default (lists compare by reference, so as text and by count).
        Assert.Empty(r.Config!.Ports);
        Assert.Empty(r.Config.Tenants);
        Assert.Equal((new SwitchConfig() with { Tenants = r.Config.Tenants }).ToString(), r.Config.ToString());
        // Each commented example is a line the reader takes as it stands.
        string[] examples = [.. File.ReadAllLines(Path.Combine(RepoRoot(), "packaging", "vswitchd.conf"))
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^# [a-z-]+ = ")).Select(l => l[2..])];
        Assert.True(examples.Length >= 10);
        foreach (string line in examples) Assert.True(Read(line).Errors.Count == 0, $"'{line}': {string.Join("; ", Read(line).Errors)}");
    }
}
