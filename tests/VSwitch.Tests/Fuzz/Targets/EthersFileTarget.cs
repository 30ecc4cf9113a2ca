using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Fuzz.Targets;

/// <summary>The ethers(5) reader, and the table built from what it accepts against a fixed hosts table.</summary>
/// <remarks>Properties: reading never throws; each error reason is bounded and printable; every
/// accepted line reads back as itself when written as <c>MAC TARGET</c>; the accepted MACs are
/// unicast and non-zero; and building the tables (host names resolved through the dns-answers
/// hosts file) never throws, a name the hosts table lacks being an error with its line.</remarks>
public sealed class EthersFileTarget : IFuzzTarget
{
    private readonly IReadOnlyList<HostsEntry> _hosts =
        HostsFileReader.Load(Path.Combine(SeedCorpus.Captures, "peephole", "dns-answers", "hosts")).Entries;

    public void Run(ReadOnlySpan<byte> input)
    {
        TableParse<EthersEntry> parse = EthersFileReader.Parse("ethers", TextInput.Decode(input));
        foreach (TableError error in parse.Errors)
        {
            if (error.Line < 1) throw new FuzzInvariantException($"an error on line {error.Line}");
            TextInput.CheckReason("ethers", error.Reason);
        }
        foreach (EthersEntry entry in parse.Entries)
        {
            if (entry.Mac == 0 || MacAddress.IsMulticast(entry.Mac) || entry.Mac >> 48 != 0)
                throw new FuzzInvariantException($"line {entry.Line} was accepted with MAC {entry.Mac:x}");
            if ((entry.Address is null) == (entry.HostName is null))
                throw new FuzzInvariantException($"line {entry.Line} has both or neither of an address and a host name");
            string line = MacAddress.Format(entry.Mac) + " " + (entry.Address?.ToString() ?? entry.HostName);
            TableParse<EthersEntry> again = EthersFileReader.Parse("ethers", line);
            if (!again.Ok || again.Entries.Count != 1 || again.Entries[0] with { Line = entry.Line } != entry)
                throw new FuzzInvariantException($"accepted line {entry.Line} does not read back as itself: '{line}'");
        }
        PeepholeTables.Build(_hosts, parse.Entries, new DnsSettings(), "ethers", out List<TableError> buildErrors);
        foreach (TableError error in buildErrors) TextInput.CheckReason("ethers build", error.Reason);
    }
}
