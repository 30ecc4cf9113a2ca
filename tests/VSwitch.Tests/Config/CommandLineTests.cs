using VSwitch.Daemon.Config;

namespace VSwitch.Tests.Config;

public class CommandLineTests
{
    [Fact]
    public void NoOptions_ResolvesToTheDocumentedDefaults()
    {
        CommandLineResult r = CommandLine.Parse([]);
        SwitchConfig config = r.Config!.ResolveDefaults();
        Assert.Equal(["tap:vs0", "tap:vs1"], config.Ports.Select(p => p.Text));
        Assert.Equal((Defaults.HostsPath, Defaults.EthersPath, Defaults.ControlPath), (config.HostsPath, config.EthersPath, config.ControlPath));
        Assert.Empty(config.Zones);
        Assert.False(config.IsReplay);
    }

    [Fact]
    public void OnlyPcapFilePorts_IsAReplayWithoutDefaultTablesOrSocket()
    {
        SwitchConfig config = CommandLine.Parse(["--port", "pcap-file:in.pcap", "--port=pcap-file:,out.pcap"]).Config!.ResolveDefaults();
        Assert.True(config.IsReplay);
        Assert.Equal((null, null, null), (config.HostsPath, config.EthersPath, config.ControlPath));
    }

    [Fact]
    public void Options_OverrideTheConfigFile_AndRepeatedOptionsReplaceItsList()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "port = tap:a\nport = tap:b\nzone = lab\nmac-aging = 100\nhosts = /etc/h\n");
        try
        {
            CommandLineResult r = CommandLine.Parse(["--config", file, "--port", "tap:c", "--mac-aging", "200"]);
            Assert.Empty(r.Errors);
            SwitchConfig c = r.Config!;
            Assert.Equal(["c"], c.Ports.Select(p => p.Name));
            Assert.Equal(["lab"], c.Zones);
            Assert.Equal(TimeSpan.FromSeconds(200), c.MacAging);
            Assert.Equal("/etc/h", c.HostsPath);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void BadConfigFile_ReportsItsLine()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "port = tap:a\nbogus = 1\n");
        try
        {
            CommandLineResult r = CommandLine.Parse(["--config", file]);
            Assert.Null(r.Config);
            Assert.Equal($"{file}:2: unknown key 'bogus'", Assert.Single(r.Errors).ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new[] { "--nope", "1" }, "command line: unknown option '--nope'")]
    [InlineData(new[] { "--port" }, "command line: --port needs a value")]
    [InlineData(new[] { "stray" }, "command line: unexpected argument 'stray' (options are --key value)")]
    [InlineData(new[] { "--dns-ttl", "-5" }, "command line: dns-ttl: '-5' is not a whole number from 0 to 2147483647")]
    [InlineData(new[] { "--hosts", "a", "--hosts", "b" }, "command line: 'hosts' is given twice; it takes one value")]
    public void BadOption_Refused(string[] args, string expected)
    {
        CommandLineResult r = CommandLine.Parse(args);
        Assert.Null(r.Config);
        Assert.Equal(expected, Assert.Single(r.Errors).ToString());
    }

    [Fact]
    public void Help_IsRecognised() => Assert.True(CommandLine.Parse(["--port", "tap:x", "-h"]).Help);

    [Fact]
    public void Version_IsRecognised() => Assert.True(CommandLine.Parse(["--port", "tap:x", "--version"]).Version);

    [Theory]
    [InlineData("tap:a,vlan=10,trunk=20", "give vlan= (an access port) or trunk= (a trunk), not both")]
    [InlineData("tap:a,trunk=10,20-29", "'20-29' after trunk= is taken for another option, since ',' separates options; separate a trunk's VLANs with ';' (trunk=10;20-29)")]
    public void PortSpec_VlanMistakes_Explained(string spec, string reason)
    {
        Assert.False(VSwitch.Daemon.Ports.PortSpec.TryParse(spec, out _, out string error));
        Assert.Equal($"port '{spec}': {reason}", error);
    }
}
