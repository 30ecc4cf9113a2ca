using System.Net;
using System.Net.Sockets;
using VSwitch.Datapath.Peephole.Dns;
using VSwitch.Tests.Scenarios;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Peephole;

public class ReverseNameTests
{
    /// <summary>The reverse name of an address, spelled here as RFC 1035 3.5 and RFC 3596 2.5 describe.</summary>
    private static string ReverseOf(string address)
    {
        IPAddress ip = IPAddress.Parse(address);
        byte[] bytes = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
            return string.Join('.', bytes.Reverse().Select(b => b.ToString())) + ".in-addr.arpa";
        string hex = Convert.ToHexStringLower(bytes);
        return string.Join('.', hex.Reverse()) + ".ip6.arpa";
    }

    private static int Parse(string name, out byte[] address)
    {
        address = new byte[16];
        return ReverseName.TryParse(TestDns.Name(name), address);
    }

    [Theory]
    [InlineData("198.18.0.20")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.100.9")]
    [InlineData("2001:db8::20")]
    [InlineData("::")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("fe80::1234:5678:9abc:def0")]
    public void TryParse_ReverseNameOfAnAddress_ReturnsIt(string address)
    {
        byte[] expected = IPAddress.Parse(address).GetAddressBytes();
        int length = Parse(ReverseOf(address), out byte[] parsed);
        Assert.Equal(expected.Length, length);
        Assert.Equal(expected, parsed[..length]);
    }

    [Fact]
    public void TryParse_KnownVector_LeastSignificantFirst()
    {
        Assert.Equal(4, Parse("20.0.18.198.in-addr.arpa", out byte[] v4));
        Assert.Equal(new byte[] { 198, 18, 0, 20 }, v4[..4]);
        Assert.Equal(16, Parse("0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", out byte[] v6));
        Assert.Equal(IPAddress.Parse("2001:db8::20").GetAddressBytes(), v6);
    }

    [Theory]
    [InlineData("020.0.18.198.in-addr.arpa")]         // leading zero
    [InlineData("20.00.18.198.in-addr.arpa")]
    [InlineData("20.0.018.198.in-addr.arpa")]
    [InlineData("256.0.18.198.in-addr.arpa")]         // over 255
    [InlineData("20.0.18.999.in-addr.arpa")]
    [InlineData("1000.0.18.198.in-addr.arpa")]        // four digits
    [InlineData("2a.0.18.198.in-addr.arpa")]          // not a digit
    [InlineData("-1.0.18.198.in-addr.arpa")]
    [InlineData("0.18.198.in-addr.arpa")]             // too few labels: a network, not an address
    [InlineData("198.in-addr.arpa")]
    [InlineData("in-addr.arpa")]
    [InlineData("1.20.0.18.198.in-addr.arpa")]        // too many labels
    [InlineData("20.0.18.198.in-addr.arpa.example")]  // not the reverse tree
    [InlineData("20.0.18.198.xin-addr.arpa")]
    [InlineData("20.0.18.198.arpa")]
    [InlineData("web.cluster.local")]
    [InlineData("")]
    public void TryParse_BadIPv4ReverseName_ReturnsZero(string name)
    {
        Assert.Equal(0, Parse(name, out _));
    }

    [Fact]
    public void TryParse_IPv6NibbleCounts_OnlyThirtyTwo()
    {
        string full = ReverseOf("2001:db8::20");
        Assert.Equal(16, Parse(full, out _));
        Assert.Equal(0, Parse(full[2..], out _));                    // 31 nibbles
        Assert.Equal(0, Parse("1." + full, out _));                  // 33 nibbles
        Assert.Equal(0, Parse("ip6.arpa", out _));
        Assert.Equal(0, Parse("8.b.d.0.1.0.0.2.ip6.arpa", out _));   // a /32 network
    }

    [Theory]
    [InlineData("00")]   // two characters in one label
    [InlineData("g")]    // not hex
    [InlineData("-")]
    public void TryParse_IPv6BadNibble_ReturnsZero(string nibble)
    {
        string name = nibble + "." + ReverseOf("2001:db8::20")[2..];   // replace the first nibble
        Assert.Equal(0, Parse(name, out _));
    }

    [Fact]
    public void TryParse_UppercaseHex_OnlyAfterLowerCasing()
    {
        // The responder folds the question to lower case before parsing; the parser itself takes lower case only.
        byte[] name = TestDns.Name("A.B.C.D.E.F.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.IP6.ARPA");
        var address = new byte[16];
        Assert.Equal(0, ReverseName.TryParse(name, address));
        DnsName.ToLower(name, name);
        Assert.Equal(16, ReverseName.TryParse(name, address));
        Assert.Equal(IPAddress.Parse("2001:db8::fe:dcba").GetAddressBytes(), address);
    }

    [Fact]
    public void TryParse_UppercaseInAddrArpa_OnlyAfterLowerCasing()
    {
        byte[] name = TestDns.Name("20.0.18.198.IN-ADDR.Arpa");
        var address = new byte[16];
        Assert.Equal(0, ReverseName.TryParse(name, address));
        DnsName.ToLower(name, name);
        Assert.Equal(4, ReverseName.TryParse(name, address));
    }

    [Theory]
    [InlineData("198.18.0.20")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("2001:db8::20")]
    [InlineData("fe80::abcd:ef01")]
    public void ToWire_Address_SpelledAsTheRfcsSayAndParsedBack(string address)
    {
        byte[] bytes = IPAddress.Parse(address).GetAddressBytes();
        byte[] wire = ReverseName.ToWire(bytes);
        Assert.Equal(TestDns.Name(ReverseOf(address)), wire);
        var parsed = new byte[16];
        Assert.Equal(bytes.Length, ReverseName.TryParse(wire, parsed));
        Assert.Equal(bytes, parsed[..bytes.Length]);
    }

    [Fact]
    public void TryParse_SuffixInsideALabel_ReturnsZero()
    {
        // One label "1" 07 "in-addr" followed by "arpa": the suffix bytes end the name but are not label-aligned.
        byte[] name = [.. new byte[] { 9, (byte)'1', 7 }, .. "in-addr"u8, .. TestDns.Name("arpa")];
        Assert.Equal(0, ReverseName.TryParse(name, new byte[16]));
    }
}
