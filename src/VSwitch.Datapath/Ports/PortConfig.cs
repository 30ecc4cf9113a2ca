namespace VSwitch.Datapath.Ports;

/// <summary>How the switch treats a port: its VLANs and its MTU.</summary>
/// <param name="Vlans">Access VLAN or trunk VLAN set.</param>
/// <param name="Mtu">Largest payload (after the Ethernet header and any tag) the port takes or sends.</param>
public sealed record PortConfig(VlanMode Vlans, int Mtu = PortConfig.DefaultMtu)
{
    public const int DefaultMtu = 1500;

    public static PortConfig Default { get; } = new(VlanMode.Access());
}
