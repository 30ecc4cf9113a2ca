namespace VSwitch.Datapath.Frames;

/// <summary>EtherType values the datapath looks at (IEEE registry).</summary>
public static class EtherType
{
    public const ushort IPv4 = 0x0800;
    public const ushort Arp = 0x0806;
    public const ushort Vlan = 0x8100;
    public const ushort QinQ = 0x88A8;
    public const ushort IPv6 = 0x86DD;

    /// <summary>Values below this are 802.3 length fields, not EtherTypes.</summary>
    public const ushort MinimumEtherType = 0x0600;
}
