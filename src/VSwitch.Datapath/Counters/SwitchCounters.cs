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

    public void AppendTo(List<KeyValuePair<string, long>> into)
    {
        into.Add(new("fdb/learned", FdbLearned));
        into.Add(new("fdb/moved", FdbMoved));
        into.Add(new("fdb/aged", FdbAged));
        into.Add(new("fdb/table-full", FdbTableFull));
        into.Add(new("fdb/entries", FdbEntries));
    }
}
