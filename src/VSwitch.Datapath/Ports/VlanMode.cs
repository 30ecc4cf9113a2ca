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

    public override string ToString() =>
        IsTrunk ? "trunk:" + string.Join(',', Vlans()) : "access:" + AccessVlan;

    private static void CheckVlan(ushort vlan) =>
        ArgumentOutOfRangeException.ThrowIfNotEqual(vlan is >= 1 and <= MaxVlanId, true, nameof(vlan));
}
