using VSwitch.Datapath.Ports;
using VSwitch.Datapath.Tables;

namespace VSwitch.Datapath.Tenancy;

/// <summary>Which tenant answers for a frame: by its ingress port when the port is bound to one,
/// else by its VLAN. The one reference the datapath reads.</summary>
/// <remarks>
/// Immutable arrays of tenant references (4096 VLANs, and one per port number; null: no
/// responder). The forwarding loop reads the current binding once per burst with
/// <c>Volatile.Read</c> and never locks; the control plane builds a new binding and publishes it
/// with <c>PeepholeStage.Binding</c>. Editing one tenant's tables does not need a new binding
/// (<see cref="Tenant.Tables"/> is swapped in place). A frame is answered only from the tenant it
/// resolves to, so names and addresses never leak across tenants.
/// </remarks>
public sealed class TableBinding
{
    private readonly Tenant?[] _byVlan;
    private readonly Tenant?[] _byPort;

    private TableBinding(Tenant?[] byVlan, Tenant?[] byPort)
    {
        _byVlan = byVlan;
        _byPort = byPort;
        Tenants = byVlan.Concat(byPort).OfType<Tenant>().Distinct().ToArray();
    }

    public static TableBinding None { get; } = new(new Tenant?[4096], new Tenant?[PortIds.MaxPorts]);

    /// <summary>A binding where one default tenant with <paramref name="tables"/> answers for each of <paramref name="vlans"/>.</summary>
    public static TableBinding For(PeepholeTables tables, IEnumerable<ushort> vlans) => None.With(new Tenant(Tenant.DefaultName, tables), vlans);

    /// <summary>A binding of every tenant at once: each answers for its VLANs and for frames from its ports (port numbers).</summary>
    /// <remarks>Builds each array once, where a chain of <see cref="With"/> copies the VLAN array per
    /// tenant: a thousand tenants make one 32 KB array, not a thousand. Later entries win an overlap;
    /// the daemon's configuration refuses overlaps before they get here.</remarks>
    public static TableBinding Of(IEnumerable<(Tenant Tenant, IEnumerable<ushort> Vlans, IEnumerable<ushort> Ports)> tenants)
    {
        var byVlan = new Tenant?[4096];
        var byPort = new Tenant?[PortIds.MaxPorts];
        foreach (var (tenant, vlans, ports) in tenants)
        {
            foreach (ushort v in vlans) byVlan[v & 0xFFF] = tenant;
            foreach (ushort p in ports) byPort[p] = tenant;
        }
        return new TableBinding(byVlan, byPort);
    }

    /// <summary>Every tenant this binding reaches.</summary>
    public IReadOnlyList<Tenant> Tenants { get; }

    /// <summary>The snapshot of the tenant bound to <paramref name="vlan"/>, if any.</summary>
    public PeepholeTables? this[int vlan] => _byVlan[vlan & 0xFFF]?.Tables;

    /// <summary>The tenant a frame from <paramref name="port"/> on <paramref name="vlan"/> belongs to.</summary>
    public Tenant? Resolve(ushort port, ushort vlan) =>
        (uint)port < (uint)_byPort.Length && _byPort[port] is { } byPort ? byPort : _byVlan[vlan & 0xFFF];

    /// <summary>A new binding with <paramref name="tenant"/> answering for <paramref name="vlans"/>; the rest unchanged.</summary>
    public TableBinding With(Tenant? tenant, IEnumerable<ushort> vlans)
    {
        var copy = (Tenant?[])_byVlan.Clone();
        foreach (ushort v in vlans) copy[v & 0xFFF] = tenant;
        return new TableBinding(copy, _byPort);
    }

    /// <summary>A new binding where frames from <paramref name="ports"/> (port numbers) belong to <paramref name="tenant"/>, whatever their VLAN.</summary>
    public TableBinding WithPorts(Tenant? tenant, IEnumerable<ushort> ports)
    {
        var copy = (Tenant?[])_byPort.Clone();
        foreach (ushort p in ports) copy[p] = tenant;
        return new TableBinding(_byVlan, copy);
    }
}
