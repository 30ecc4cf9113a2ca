using System.Net;
using System.Text;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Tables;

public class HostsFileReaderTests
{
    private const string File = "hosts";

    // Every line under test is placed after a comment and a blank line, so line numbers are
    // checked against something other than 1.
    private const string Preamble = "# test hosts file\n\n";
    private const int LineUnderTest = 3;

    private static readonly string Label63 = new('a', 63);
    private static readonly string Name253 = string.Join('.', Enumerable.Repeat(new string('b', 49), 5)) + ".c12";

    [Theory]
    [InlineData("192.0.2.10 web", "192.0.2.10", "web", "")]
    [InlineData("192.0.2.10\tweb.example.org\tweb  www   # canonical name, then aliases",
        "192.0.2.10", "web.example.org", "web www")]
    [InlineData("  2001:db8::10   web.example.org.  web.", "2001:db8::10", "web.example.org", "web")]
    [InlineData("192.0.2.1 Host_Name-1\r", "192.0.2.1", "Host_Name-1", "")]
    [InlineData("::1 localhost ip6-localhost ip6-loopback", "::1", "localhost", "ip6-localhost ip6-loopback")]
    [InlineData("::ffff:192.0.2.1 mapped", "::ffff:192.0.2.1", "mapped", "")]
    [InlineData("fe80::1 link-local", "fe80::1", "link-local", "")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001 long-form", "2001:db8::1", "long-form", "")]
    [InlineData("0.0.0.0 ads.example", "0.0.0.0", "ads.example", "")]
    [InlineData("255.255.255.255 broadcasthost", "255.255.255.255", "broadcasthost", "")]
    [InlineData("192.0.2.1 MiXeD.Case.Example", "192.0.2.1", "MiXeD.Case.Example", "")]
    [InlineData("192.0.2.1 host#comment without a space", "192.0.2.1", "host", "")]
    [InlineData("192.0.2.1 1host 123.example _srv.example x", "192.0.2.1", "1host", "123.example _srv.example x")]
    public void Parse_GoodLine_ReadsEntry(string line, string address, string canonical, string aliases)
    {
        TableParse<HostsEntry> parse = HostsFileReader.Parse(File, Preamble + line + "\n");

        Assert.True(parse.Ok, string.Join("; ", parse.Errors));
        HostsEntry entry = Assert.Single(parse.Entries);
        Assert.Equal(IPAddress.Parse(address), entry.Address);
        Assert.Equal(canonical, entry.CanonicalName);
        Assert.Equal(aliases.Split(' ', StringSplitOptions.RemoveEmptyEntries), entry.Aliases);
        Assert.Equal(LineUnderTest, entry.Line);
    }

    [Fact]
    public void Parse_LongestLabelAndName_Accepted()
    {
        Assert.Equal(253, Name253.Length);
        TableParse<HostsEntry> parse = HostsFileReader.Parse(File, $"192.0.2.1 {Label63}.example {Name253}.");

        Assert.True(parse.Ok, string.Join("; ", parse.Errors));
        HostsEntry entry = Assert.Single(parse.Entries);
        Assert.Equal(Label63 + ".example", entry.CanonicalName);
        Assert.Equal([Name253], entry.Aliases);
    }

    [Theory]
    // Addresses.
    [InlineData("1.2.3 host", "'1.2.3' is not an IPv4 or IPv6 address")]
    [InlineData("1.2.3.4.5 host", "four decimal octets")]
    [InlineData("1..2.3 host", "an octet is empty")]
    [InlineData("010.1.1.1 host", "octet '010' has a leading zero")]
    [InlineData("1.2.3.256 host", "octet '256' is greater than 255")]
    [InlineData("1.2.3.1000 host", "octet '1000' is greater than 255")]
    [InlineData("1.2.3.4/24 host", "a prefix length (a '/' suffix) is not allowed")]
    [InlineData("fe80::1%eth0 host", "zone ids (a '%' suffix) are not allowed")]
    [InlineData("0x7f.0.0.1 host", "'0x7f.0.0.1' is not an IPv4 or IPv6 address")]
    [InlineData("[::1] host", "'[::1]' is not an IPv4 or IPv6 address")]
    [InlineData("1::2::3 host", "'1::2::3' is not an IPv4 or IPv6 address")]
    [InlineData("12345::1 host", "group '12345' has more than four hex digits")]
    [InlineData("1::12345 host", "group '12345' has more than four hex digits")]
    [InlineData("::ffff:010.0.0.1 host", "in its IPv4 part, octet '010' has a leading zero")]
    [InlineData("1.2.3.4:: host", "'1.2.3.4::' is not an IPv4 or IPv6 address")]
    [InlineData("myhost 192.0.2.1", "'myhost' is not an IPv4 or IPv6 address")]
    // Missing names.
    [InlineData("192.0.2.1", "line has an address but no name")]
    [InlineData("192.0.2.1   # the name is commented out", "line has an address but no name")]
    // Names.
    [InlineData("192.0.2.1 -host", "label '-host' in name '-host' begins with a hyphen")]
    [InlineData("192.0.2.1 good host-.example", "label 'host-' in name 'host-.example' ends with a hyphen")]
    [InlineData("192.0.2.1 a..b", "name 'a..b' has an empty label")]
    [InlineData("192.0.2.1 host..", "name 'host..' has an empty label")]
    [InlineData("192.0.2.1 .host", "name '.host' has an empty label")]
    [InlineData("192.0.2.1 .", "name '.' is empty")]
    [InlineData("192.0.2.1 bad!name", "character '!' in name 'bad!name' is not allowed")]
    [InlineData("192.0.2.1 caf\u00e9", "character '\u00e9' in name 'caf\u00e9' is not allowed")]
    [InlineData("192.0.2.1 nul\u0000byte", "character '\\u0000' in name 'nul\\u0000byte' is not allowed")]
    [InlineData("192.0.2.1 a\rb", "character '\\u000d'")]
    [InlineData("192.0.2.1 host 192.0.2.2", "name '192.0.2.2' ends in an all-numeric label")]
    [InlineData("192.0.2.1 123", "name '123' ends in an all-numeric label")]
    public void Parse_BadLine_ReportsLineAndReason(string line, string reason)
    {
        TableParse<HostsEntry> parse = HostsFileReader.Parse(File, Preamble + line + "\r\n192.0.2.99 after\r\n");

        Assert.False(parse.Ok);
        TableError error = Assert.Single(parse.Errors);
        Assert.Equal(File, error.File);
        Assert.Equal(LineUnderTest, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        // The bad line contributes nothing; the good line after it is still read.
        HostsEntry after = Assert.Single(parse.Entries);
        Assert.Equal(LineUnderTest + 1, after.Line);
    }

    [Fact]
    public void Parse_LabelOf64_ReportsQuotedAndCutLabel()
    {
        string label = new('x', 64);
        TableParse<HostsEntry> parse = HostsFileReader.Parse(File, $"192.0.2.1 {label}.example");

        TableError error = Assert.Single(parse.Errors);
        Assert.Equal(
            $"label '{new string('x', 40)}...' in name '{new string('x', 40)}...' is longer than 63 characters",
            error.Reason);
    }

    [Fact]
    public void Parse_NameOf254_ReportsLength()
    {
        TableParse<HostsEntry> parse = HostsFileReader.Parse(File, $"192.0.2.1 a{Name253}");

        TableError error = Assert.Single(parse.Errors);
        Assert.EndsWith("is 254 characters long; the limit is 253", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralBadLines_ReportsEveryOneInOrder()
    {
        string text = string.Join('\n',
            "192.0.2.1 one",            // 1
            "1.2.3 two",                // 2
            "",                         // 3
            "# 1.2.3 commented out",    // 4
            "192.0.2.5",                // 5
            "2001:db8::6 six six-v6",   // 6
            "192.0.2.7 bad_-",          // 7
            "fe80::8%lo eight",         // 8
            "192.0.2.9 nine\r",         // 9
            "");

        TableParse<HostsEntry> parse = HostsFileReader.Parse(File, text);

        Assert.False(parse.Ok);
        Assert.Equal([1, 6, 9], parse.Entries.Select(e => e.Line));
        Assert.Equal([2, 5, 7, 8], parse.Errors.Select(e => e.Line));
        Assert.Contains("'1.2.3'", parse.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("no name", parse.Errors[1].Reason, StringComparison.Ordinal);
        Assert.Contains("ends with a hyphen", parse.Errors[2].Reason, StringComparison.Ordinal);
        Assert.Contains("zone ids", parse.Errors[3].Reason, StringComparison.Ordinal);
        Assert.All(parse.Errors, e => Assert.Equal(File, e.File));
    }

    [Fact]
    public void Parse_SameNameOnSeveralLines_KeepsEveryAddress()
    {
        TableParse<HostsEntry> parse = HostsFileReader.Parse(File, "192.0.2.1 web\n2001:db8::1 web\n192.0.2.2 WEB\n");

        Assert.True(parse.Ok);
        Assert.Equal(["web", "web", "WEB"], parse.Entries.Select(e => e.CanonicalName));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n\r\n")]
    [InlineData("# only a comment\n   \t  \n#\n")]
    public void Parse_NothingButBlanksAndComments_IsEmptyAndOk(string text)
    {
        TableParse<HostsEntry> parse = HostsFileReader.Parse(File, text);

        Assert.True(parse.Ok);
        Assert.Empty(parse.Entries);
    }

    [Fact]
    public void ToString_Error_IsFileLineReason()
    {
        Assert.Equal("/etc/hosts:7: line has an address but no name",
            new TableError("/etc/hosts", 7, "line has an address but no name").ToString());
    }

    [Fact]
    public void Load_MissingFile_OneErrorAtLineZeroNamingPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vswitch-no-such-hosts-{Guid.NewGuid():N}");

        TableParse<HostsEntry> parse = HostsFileReader.Load(path);

        Assert.False(parse.Ok);
        Assert.Empty(parse.Entries);
        TableError error = Assert.Single(parse.Errors);
        Assert.Equal(path, error.File);
        Assert.Equal(0, error.Line);
        Assert.Contains(path, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Directory_OneErrorAtLineZero()
    {
        TableParse<HostsEntry> parse = HostsFileReader.Load(Path.GetTempPath());

        TableError error = Assert.Single(parse.Errors);
        Assert.Equal(0, error.Line);
        Assert.StartsWith("cannot read the file: ", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileWithBomAndCrLf_ReadsEntriesAgainstPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vswitch-hosts-{Guid.NewGuid():N}");
        try
        {
            System.IO.File.WriteAllText(path, "# hosts\r\n192.0.2.1 web\r\n1.2.3 bad\r\n",
                new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

            TableParse<HostsEntry> parse = HostsFileReader.Load(path);

            HostsEntry entry = Assert.Single(parse.Entries);
            Assert.Equal("web", entry.CanonicalName);
            Assert.Equal(2, entry.Line);
            TableError error = Assert.Single(parse.Errors);
            Assert.Equal(path, error.File);
            Assert.Equal(3, error.Line);
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
            "192.0.2.10 web.example.org web # comment",
            "2001:db8::10\tweb.example.org.\tweb",
            "::ffff:192.0.2.1 mapped",
            "fe80::1 link-local",
            "10.0.0.1 a-b_c.d",
        ];
        foreach (string text in RandomLines.Texts(seed: 5309, count: 4000, good))
        {
            TableParse<HostsEntry> parse = HostsFileReader.Parse(File, text);

            RandomLines.AssertWellFormed(parse, File, text, e => e.Line);
            foreach (HostsEntry entry in parse.Entries)
            {
                // Whatever was accepted is stored in the form the validator accepts again.
                Assert.True(TableSyntax.TryValidateHostName(entry.CanonicalName, out string again, out _));
                Assert.Equal(entry.CanonicalName, again);
                if (entry.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
                    Assert.Equal(0, entry.Address.ScopeId);
            }
        }
    }
}
