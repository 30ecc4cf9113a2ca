namespace VSwitch.Datapath.Tables;

/// <summary>Which table snapshot answers for each VLAN: the one reference the datapath reads.</summary>
/// <remarks>
/// An immutable array of 4096 snapshot references (null: no responder on that VLAN). The
/// forwarding loop reads the current binding once per burst with <c>Volatile.Read</c>
/// and never locks; the control plane builds a new binding and publishes it with
/// <c>PeepholeStage.Binding</c>. A frame is answered only from the snapshot bound to its own VLAN, so
/// names and addresses never leak across VLANs.
/// </remarks>
public sealed class TableBinding
{
    private readonly PeepholeTables?[] _byVlan;

    private TableBinding(PeepholeTables?[] byVlan) => _byVlan = byVlan;

    public static TableBinding None { get; } = new(new PeepholeTables?[4096]);

    /// <summary>A binding where <paramref name="tables"/> answers for each of <paramref name="vlans"/>.</summary>
    public static TableBinding For(PeepholeTables tables, IEnumerable<ushort> vlans) => None.With(tables, vlans);

    public PeepholeTables? this[int vlan] => _byVlan[vlan & 0xFFF];

    /// <summary>A new binding with <paramref name="tables"/> answering for <paramref name="vlans"/>; the rest unchanged.</summary>
    public TableBinding With(PeepholeTables? tables, IEnumerable<ushort> vlans)
    {
        var copy = (PeepholeTables?[])_byVlan.Clone();
        foreach (ushort v in vlans) copy[v & 0xFFF] = tables;
        return new TableBinding(copy);
    }
}
