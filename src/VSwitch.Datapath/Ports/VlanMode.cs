namespace VSwitch.Datapath.Ports;

/// <summary>Which VLANs a port carries and whether they are tagged on its wire.</summary>
/// <remarks>
/// An access port carries one VLAN untagged: it accepts untagged frames (and priority-tagged
/// ones, VLAN 0) and drops tagged ones. A trunk carries a set of VLANs, each tagged: it drops
/// untagged frames and frames of VLANs outside its set. Frames never cross VLANs.
/// </remarks>
public sealed class VlanMode
{
    public const ushort DefaultVlan = 1;
    public const int MaxVlanId = 4094;

    private readonly ulong[] _trunkVlans;

    private VlanMode(ushort accessVlan, ulong[] trunkVlans)
    {
        AccessVlan = accessVlan;
        _trunkVlans = trunkVlans;
    }

    /// <summary>The VLAN of an access port; 0 for a trunk.</summary>
    public ushort AccessVlan { get; }

    public bool IsTrunk => AccessVlan == 0;

    public static VlanMode Access(ushort vlan = DefaultVlan)
    {
        CheckVlan(vlan);
        return new VlanMode(vlan, []);
    }

    public static VlanMode Trunk(IEnumerable<ushort> vlans)
    {
        var bits = new ulong[64];
        foreach (ushort v in vlans)
        {
            CheckVlan(v);
            bits[v >> 6] |= 1UL << (v & 63);
        }
        return new VlanMode(0, bits);
    }

    /// <summary>True when the port carries <paramref name="vlan"/>.</summary>
    public bool Carries(ushort vlan) =>
        IsTrunk ? (_trunkVlans[(vlan >> 6) & 63] & (1UL << (vlan & 63))) != 0 : vlan == AccessVlan;

    /// <summary>Every VLAN the port carries, ascending.</summary>
    public IEnumerable<ushort> Vlans()
    {
        if (!IsTrunk)
        {
            yield return AccessVlan;
            yield break;
        }
        for (ushort v = 1; v <= MaxVlanId; v++)
            if (Carries(v)) yield return v;
    }

    /// <summary>Parses <c>access:N</c> or <c>trunk:N,M,...</c> (ranges <c>N-M</c> allowed in a trunk list).</summary>
    public static bool TryParse(string text, out VlanMode? mode, out string error)
    {
        mode = null;
        error = "";
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? text : text[..colon];
        string list = colon < 0 ? "" : text[(colon + 1)..];
        if (kind == "access")
        {
            if (!ushort.TryParse(list, out ushort v) || v is < 1 or > MaxVlanId)
            {
                error = $"access VLAN '{list}' is not a number from 1 to {MaxVlanId}";
                return false;
            }
            mode = Access(v);
            return true;
        }
        if (kind != "trunk")
        {
            error = $"VLAN mode '{kind}' is neither 'access' nor 'trunk'";
            return false;
        }
        var vlans = new List<ushort>();
        foreach (string item in list.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] range = item.Split('-');
            if (range.Length > 2 || !ushort.TryParse(range[0], out ushort lo) ||
                !ushort.TryParse(range[^1], out ushort hi) || lo < 1 || hi > MaxVlanId || lo > hi)
            {
                error = $"trunk VLAN '{item}' is not a number or range within 1-{MaxVlanId}";
                return false;
            }
            for (int v = lo; v <= hi; v++) vlans.Add((ushort)v);
        }
        mode = Trunk(vlans);
        return true;
    }

    public override string ToString() =>
        IsTrunk ? "trunk:" + string.Join(',', Vlans()) : "access:" + AccessVlan;

    private static void CheckVlan(ushort vlan) =>
        ArgumentOutOfRangeException.ThrowIfNotEqual(vlan is >= 1 and <= MaxVlanId, true, nameof(vlan));
}
