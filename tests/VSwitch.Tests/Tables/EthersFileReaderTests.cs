using System.Net;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Tables;

public class EthersFileReaderTests
{
    private const string File = "ethers";

    // Every line under test is placed after a comment and a blank line, so line numbers are
    // checked against something other than 1.
    private const string Preamble = "# test ethers file\n\n";
    private const int LineUnderTest = 3;

    [Theory]
    [InlineData("08:00:20:01:02:03 192.0.2.10", 0x0800_2001_0203UL, "192.0.2.10", null)]
    [InlineData("8:0:20:1:2:3\thost.example   # ether_aton's short groups", 0x0800_2001_0203UL, null, "host.example")]
    [InlineData("08-00-20-01-02-03 2001:db8::1\r", 0x0800_2001_0203UL, "2001:db8::1", null)]
    [InlineData("  0A:bC:de:F0:12:34 \t Printer.Example.  ", 0x0abc_def0_1234UL, null, "Printer.Example")]
    [InlineData("02:00:00:00:00:01 ::ffff:192.0.2.1", 0x0200_0000_0001UL, "::ffff:192.0.2.1", null)]
    [InlineData("fe:ff:ff:ff:ff:ff 0.0.0.0", 0xfeff_ffff_ffffUL, "0.0.0.0", null)]
    [InlineData("0:0:0:0:0:1 h1", 0x0000_0000_0001UL, null, "h1")]
    [InlineData("8-0:20-1:2-3 mixed-separators", 0x0800_2001_0203UL, null, "mixed-separators")]
    public void Parse_GoodLine_ReadsEntry(string line, ulong mac, string? address, string? hostName)
    {
        TableParse<EthersEntry> parse = EthersFileReader.Parse(File, Preamble + line + "\n");

        Assert.True(parse.Ok, string.Join("; ", parse.Errors));
        EthersEntry entry = Assert.Single(parse.Entries);
        Assert.Equal(mac, entry.Mac);
        Assert.Equal(address is null ? null : IPAddress.Parse(address), entry.Address);
        Assert.Equal(hostName, entry.HostName);
        Assert.Equal(LineUnderTest, entry.Line);
    }

    [Theory]
    // MAC addresses.
    [InlineData("08:00:20:01:02 host", "'08:00:20:01:02' is not a MAC address")]
    [InlineData("08:00:20:01:02:03:04 host", "'08:00:20:01:02:03:04' is not a MAC address")]
    [InlineData("080:00:20:01:02:03 host", "'080:00:20:01:02:03' is not a MAC address")]
    [InlineData("08::20:01:02:03 host", "'08::20:01:02:03' is not a MAC address")]
    [InlineData("08:00:20:01:02: host", "'08:00:20:01:02:' is not a MAC address")]
    [InlineData("0800.2001.0203 host", "'0800.2001.0203' is not a MAC address")]
    [InlineData("080020010203 host", "'080020010203' is not a MAC address")]
    [InlineData("g8:00:20:01:02:03 host", "'g8:00:20:01:02:03' is not a MAC address")]
    [InlineData("host 08:00:20:01:02:03", "'host' is not a MAC address")]
    [InlineData("01:00:5e:00:00:01 host", "'01:00:5e:00:00:01' is a group (multicast or broadcast) MAC address")]
    [InlineData("33:33:00:00:00:01 host", "is a group (multicast or broadcast) MAC address")]
    [InlineData("ff:ff:ff:ff:ff:ff host", "is a group (multicast or broadcast) MAC address")]
    [InlineData("00:00:00:00:00:00 host", "'00:00:00:00:00:00' is the all-zero MAC address")]
    [InlineData("0:0:0:0:0:0 192.0.2.1", "'0:0:0:0:0:0' is the all-zero MAC address")]
    // The second field.
    [InlineData("08:00:20:01:02:03", "line has a MAC address but no IP address or host name")]
    [InlineData("08:00:20:01:02:03 # host", "line has a MAC address but no IP address or host name")]
    [InlineData("08:00:20:01:02:03 1.2.3", "'1.2.3' is not an IPv4 or IPv6 address")]
    [InlineData("08:00:20:01:02:03 010.1.1.1", "octet '010' has a leading zero")]
    [InlineData("08:00:20:01:02:03 1.2.3.4/24", "a prefix length (a '/' suffix) is not allowed")]
    [InlineData("08:00:20:01:02:03 fe80::1%eth0", "zone ids (a '%' suffix) are not allowed")]
    [InlineData("08:00:20:01:02:03 12345::1", "group '12345' has more than four hex digits")]
    [InlineData("08:00:20:01:02:03 -host", "label '-host' in name '-host' begins with a hyphen")]
    [InlineData("08:00:20:01:02:03 a..b", "name 'a..b' has an empty label")]
    [InlineData("08:00:20:01:02:03 bad!name", "character '!' in name 'bad!name' is not allowed")]
    [InlineData("08:00:20:01:02:03 0x7f.0.0.1", "name '0x7f.0.0.1' ends in an all-numeric label")]
    // Extra fields.
    [InlineData("08:00:20:01:02:03 host extra", "unexpected 'extra' after 'host'")]
    [InlineData("08:00:20:01:02:03 192.0.2.1 host", "unexpected 'host' after '192.0.2.1'")]
    public void Parse_BadLine_ReportsLineAndReason(string line, string reason)
    {
        TableParse<EthersEntry> parse = EthersFileReader.Parse(File, Preamble + line + "\r\n02:00:00:00:00:99 after\r\n");

        Assert.False(parse.Ok);
        TableError error = Assert.Single(parse.Errors);
        Assert.Equal(File, error.File);
        Assert.Equal(LineUnderTest, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        // The bad line contributes nothing; the good line after it is still read.
        EthersEntry after = Assert.Single(parse.Entries);
        Assert.Equal(LineUnderTest + 1, after.Line);
    }

    [Fact]
    public void Parse_LabelOf64_ReportsLabelTooLong()
    {
        TableParse<EthersEntry> parse = EthersFileReader.Parse(File, $"08:00:20:01:02:03 {new string('y', 64)}");

        TableError error = Assert.Single(parse.Errors);
        Assert.EndsWith("is longer than 63 characters", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralBadLines_ReportsEveryOneInOrder()
    {
        string text = string.Join("\r\n",
            "08:00:20:00:00:01 192.0.2.1",      // 1
            "ff:ff:ff:ff:ff:ff broadcast",      // 2
            "# 01:00:5e:00:00:01 commented",    // 3
            "08:00:20:00:00:04 host-four",      // 4
            "08:00:20:00:00:05",                // 5
            "",                                 // 6
            "08:00:20:00:00:07 1.2.3",          // 7
            "8:0:20:0:0:8 2001:db8::8",         // 8
            "08:00:20:00:00:09 nine extra");    // 9

        TableParse<EthersEntry> parse = EthersFileReader.Parse(File, text);

        Assert.False(parse.Ok);
        Assert.Equal([1, 4, 8], parse.Entries.Select(e => e.Line));
        Assert.Equal([2, 5, 7, 9], parse.Errors.Select(e => e.Line));
        Assert.Contains("group", parse.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("no IP address or host name", parse.Errors[1].Reason, StringComparison.Ordinal);
        Assert.Contains("'1.2.3'", parse.Errors[2].Reason, StringComparison.Ordinal);
        Assert.Contains("unexpected 'extra'", parse.Errors[3].Reason, StringComparison.Ordinal);
        Assert.All(parse.Errors, e => Assert.Equal(File, e.File));
    }

    [Fact]
    public void Load_MissingFile_OneErrorAtLineZeroNamingPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vswitch-no-such-ethers-{Guid.NewGuid():N}");

        TableParse<EthersEntry> parse = EthersFileReader.Load(path);

        Assert.False(parse.Ok);
        Assert.Empty(parse.Entries);
        TableError error = Assert.Single(parse.Errors);
        Assert.Equal(path, error.File);
        Assert.Equal(0, error.Line);
        Assert.Contains(path, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_File_ReadsEntriesAgainstPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vswitch-ethers-{Guid.NewGuid():N}");
        try
        {
            System.IO.File.WriteAllText(path, "08:00:20:01:02:03 192.0.2.1\nff:ff:ff:ff:ff:ff bcast\n");

            TableParse<EthersEntry> parse = EthersFileReader.Load(path);

            EthersEntry entry = Assert.Single(parse.Entries);
            Assert.Equal(0x0800_2001_0203UL, entry.Mac);
            TableError error = Assert.Single(parse.Errors);
            Assert.Equal(path, error.File);
            Assert.Equal(2, error.Line);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void Parse_RandomGarbage_NeverThrows()
    {
        string[] good =
        [
            "08:00:20:01:02:03 192.0.2.10 # comment",
            "8:0:20:1:2:3\thost.example.",
            "08-00-20-01-02-03 2001:db8::1",
            "02:00:00:00:00:01 ::ffff:192.0.2.1",
            "0a:bc:de:f0:12:34 a-b_c.d",
        ];
        foreach (string text in RandomLines.Texts(seed: 8675, count: 4000, good))
        {
            TableParse<EthersEntry> parse = EthersFileReader.Parse(File, text);

            RandomLines.AssertWellFormed(parse, File, text, e => e.Line);
            foreach (EthersEntry entry in parse.Entries)
            {
                // Exactly one target, and a MAC a neighbour can own.
                Assert.True(entry.Address is null != entry.HostName is null);
                Assert.NotEqual(0UL, entry.Mac);
                Assert.True(entry.Mac <= 0xffff_ffff_ffffUL);
                Assert.False(VSwitch.Datapath.Frames.MacAddress.IsMulticast(entry.Mac));
            }
        }
    }
}
