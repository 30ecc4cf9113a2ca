using VSwitch.Datapath.Ports;

namespace VSwitch.Datapath.Ports;

/// <summary>The ports attached to a switch, by number, with the flood list of every VLAN.</summary>
/// <remarks>Flood lists are computed when ports come and go, not per frame: flooding a frame
/// walks one small array. Changed only from the forwarding loop's thread.</remarks>
public sealed class PortTable
{
    private static readonly ushort[] NoPorts = [];

    private readonly AttachedPort?[] _ports = new AttachedPort?[PortIds.MaxPorts];
    private readonly ushort[][] _floodLists = new ushort[VlanMode.MaxVlanId + 1][];

    public PortTable() => Array.Fill(_floodLists, NoPorts);

    /// <summary>Changes whenever a port is added or removed (so a waiter knows to rebuild its descriptor list).</summary>
    public int Version { get; private set; }

    /// <summary>One past the highest port number in use.</summary>
    public int Span { get; private set; }

    public AttachedPort? this[int id] => (uint)id < (uint)_ports.Length ? _ports[id] : null;

    /// <summary>The ports that carry <paramref name="vlan"/>, in port order.</summary>
    public ReadOnlySpan<ushort> FloodList(ushort vlan) => _floodLists[vlan & 0xFFF];

    public IEnumerable<AttachedPort> All
    {
        get
        {
            for (int i = 0; i < Span; i++)
                if (_ports[i] is { } p) yield return p;
        }
    }

    public AttachedPort Add(IPort port, PortConfig config)
    {
        int id = Array.IndexOf(_ports, null);
        if (id < 0) throw new InvalidOperationException($"A switch takes at most {PortIds.MaxPorts} ports.");
        var attached = new AttachedPort((ushort)id, port, config);
        _ports[id] = attached;
        Span = Math.Max(Span, id + 1);
        RebuildFloodLists();
        return attached;
    }

    public void Remove(ushort id)
    {
        _ports[id]?.Capture?.Detach();
        _ports[id] = null;
        while (Span > 0 && _ports[Span - 1] is null) Span--;
        RebuildFloodLists();
    }

    private void RebuildFloodLists()
    {
        Version++;
        var lists = new List<ushort>[_floodLists.Length];
        foreach (AttachedPort p in All)
        {
            foreach (ushort v in p.Config.Vlans.Vlans())
                (lists[v] ??= []).Add(p.Id);
        }
        for (int v = 0; v < lists.Length; v++) _floodLists[v] = lists[v]?.ToArray() ?? NoPorts;
    }
}
