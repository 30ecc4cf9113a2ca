// Counters are public fields on purpose: the loop increments them per frame, and a property adds nothing but a call.
#pragma warning disable CA1051
namespace VSwitch.Datapath.Counters;

/// <summary>Switch-wide counters of the MAC table (forwarding database), written only by the forwarding loop.</summary>
public sealed class SwitchCounters
{
    /// <summary>New (VLAN, MAC) entries learned.</summary>
    public long FdbLearned;
    /// <summary>Known MACs seen on another port and re-learned there.</summary>
    public long FdbMoved;
    /// <summary>Entries removed because they were not seen for the aging time.</summary>
    public long FdbAged;
    /// <summary>Source MACs not learned because the table was at its bound.</summary>
    public long FdbTableFull;
    /// <summary>Entries in the table now.</summary>
    public long FdbEntries;

    /// <summary>The counters' paths, in the order of <see cref="CopyTo"/>.</summary>
    public static readonly string[] Names = ["fdb/learned", "fdb/moved", "fdb/aged", "fdb/table-full", "fdb/entries"];

    /// <summary>Writes every value, in the order of <see cref="Names"/>; no allocation.</summary>
    public void CopyTo(Span<long> values)
    {
        values[0] = FdbLearned;
        values[1] = FdbMoved;
        values[2] = FdbAged;
        values[3] = FdbTableFull;
        values[4] = FdbEntries;
    }

    public void AppendTo(List<KeyValuePair<string, long>> into)
    {
        Span<long> values = stackalloc long[Names.Length];
        CopyTo(values);
        for (int i = 0; i < Names.Length; i++) into.Add(new(Names[i], values[i]));
    }
}
