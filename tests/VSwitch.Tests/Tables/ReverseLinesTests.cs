using System.Net;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Tables;

/// <summary>The reverse map holds a lower-case name by reference to the names map, and any other as written.</summary>
public class ReverseLinesTests
{
    private static readonly byte[] Web = IPAddress.Parse("198.18.0.20").GetAddressBytes();

    private static PeepholeTables Build(params (string Address, string[] Names)[] lines)
    {
        var builder = new TableBuilder("ethers");
        int n = 0;
        foreach (var (address, names) in lines) builder.AddHost(new HostsEntry(IPAddress.Parse(address), names[0], names[1..], ++n));
        return builder.Build(new DnsSettings());
    }

    private static byte[] Wire(string name) => DnsName.FromText(name);

    [Fact]
    public void LowerCaseLine_HeldByReference_ResolvesToTheName()
    {
        PeepholeTables tables = Build(("198.18.0.20", ["web.lab", "www"]));

        Assert.True(tables.Reverse.TryGet(Web, out ReadOnlySpan<byte> value));
        Assert.Equal(5 + 5 + 1, value.Length);   // two references and the line's end: no name copied
        Assert.True(tables.TryGetPtrName(Web, out ReadOnlySpan<byte> name));
        Assert.Equal(Wire("web.lab"), name.ToArray());
        Assert.Equal([[Wire("web.lab"), Wire("www")]], ReverseLines.Decode(value, tables.Names, Web));
    }

    [Fact]
    public void UpperCaseName_HeldAsWritten_PtrKeepsItsCase()
    {
        PeepholeTables tables = Build(("198.18.0.20", ["Web.Lab"]));

        Assert.True(tables.TryGetPtrName(Web, out ReadOnlySpan<byte> name));
        Assert.Equal(Wire("Web.Lab"), name.ToArray());
    }

    [Fact]
    public void Reference_NameOnAnotherAddressToo_ResolvedByTheRecordHoldingThisAddress()
    {
        PeepholeTables tables = Build(("198.18.0.21", ["db"]), ("198.18.0.20", ["web"]), ("198.18.0.20", ["db"]));

        Assert.True(tables.TryGetPtrName(Web, out ReadOnlySpan<byte> name));
        Assert.Equal(Wire("web"), name.ToArray());
        Assert.True(tables.TryGetPtrName(IPAddress.Parse("198.18.0.21").GetAddressBytes(), out name));
        Assert.Equal(Wire("db"), name.ToArray());
    }

    [Fact]
    public void HasLineWithAndWithout_AnyCase_MatchReferences()
    {
        PeepholeTables tables = Build(("198.18.0.20", ["web.lab", "www"]), ("198.18.0.20", ["db"]));
        Assert.True(tables.Reverse.TryGet(Web, out ReadOnlySpan<byte> value));

        Assert.True(ReverseLines.HasLineWith(value, [Wire("WWW"), Wire("Web.LAB")]));
        Assert.False(ReverseLines.HasLineWith(value, [Wire("www"), Wire("db")]));

        byte[]? without = ReverseLines.Without(value, Wire("WEB.lab"));
        Assert.NotNull(without);
        Assert.Equal([[Wire("www")], [Wire("db")]], ReverseLines.Decode(without, tables.Names, Web));
        Assert.Null(ReverseLines.Without(ReverseLines.Without(without, Wire("www")), Wire("db")));
    }
}
