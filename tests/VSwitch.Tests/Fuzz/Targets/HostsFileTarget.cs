using VSwitch.Datapath.Tables;

namespace VSwitch.Tests.Fuzz.Targets;

/// <summary>The hosts(5) reader, and the table built from what it accepts.</summary>
/// <remarks>
/// <para>Properties: reading never throws; each error reason is bounded and printable; every
/// accepted line, written back out as <c>ADDRESS NAME...</c>, reads again as the same entry (so
/// <c>hosts add</c>, which writes lines the reader checked, can never write one it would refuse
/// on the next load); and the accepted entries always build a table, whose names then resolve.
/// The last one matters because the builder turns names into wire form with its own checks: a
/// name the reader passes and the builder refuses would stop a reload with an exception.</para>
/// </remarks>
public sealed class HostsFileTarget : IFuzzTarget
{
    private static readonly DnsSettings Settings = new() { Zones = ["cluster.local", "18.198.in-addr.arpa"] };

    public void Run(ReadOnlySpan<byte> input)
    {
        TableParse<HostsEntry> parse = HostsFileReader.Parse("hosts", TextInput.Decode(input));
        foreach (TableError error in parse.Errors)
        {
            if (error.Line < 1) throw new FuzzInvariantException($"an error on line {error.Line}");
            TextInput.CheckReason("hosts", error.Reason);
        }
        foreach (HostsEntry entry in parse.Entries)
        {
            string line = string.Join(' ', [entry.Address.ToString(), entry.CanonicalName, .. entry.Aliases]);
            TableParse<HostsEntry> again = HostsFileReader.Parse("hosts", line);
            if (!again.Ok || again.Entries.Count != 1 || !again.Entries[0].Address.Equals(entry.Address) ||
                again.Entries[0].CanonicalName != entry.CanonicalName || !again.Entries[0].Aliases.SequenceEqual(entry.Aliases))
                throw new FuzzInvariantException($"accepted line {entry.Line} does not read back as itself: '{line}'");
        }

        PeepholeTables tables = PeepholeTables.Build(parse.Entries, [], Settings, "ethers", out List<TableError> buildErrors);
        if (buildErrors.Count > 0) throw new FuzzInvariantException("a hosts-only table has errors: " + buildErrors[0]);
        foreach (HostsEntry entry in parse.Entries)
        {
            if (!tables.Names.TryGet(Datapath.Tables.DnsName.KeyFromText(entry.CanonicalName), out _))
                throw new FuzzInvariantException($"name '{entry.CanonicalName}' of line {entry.Line} is not in the table built from it");
        }
    }
}
