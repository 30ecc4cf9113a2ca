namespace VSwitch.E2eReport;

/// <summary>The switches run.sh measures, in the order the page lists them, and what
/// ../shared/reference/anchors.md says each peer reached on this kind of machine.</summary>
public static class Cases
{
    public static readonly (string Id, string Label)[] Switches =
    [
        ("vswitch-afpacket", "VSwitch, AF_PACKET ports"),
        ("vswitch-tap", "VSwitch, TAP ports"),
        ("ovs-afpacket", "OVS userspace, AF_PACKET ports"),
        ("ovs-afpacket-tso", "OVS userspace, AF_PACKET + userspace TSO"),
        ("ovs-tap", "OVS userspace, tap ports"),
        ("ovs-afxdp", "OVS userspace, AF_XDP ports"),
        ("bridge", "Linux bridge"),
        ("veth", "plain veth pair, no switch"),
    ];

    public static readonly int[] Sizes = [64, 512, 1500];

    /// <summary>64-byte frames per second and TCP Gbit/s from anchors.md, as text; peers without anchors are absent.</summary>
    public static readonly Dictionary<string, (string Pps, string Tcp)> Anchors = new()
    {
        ["veth"] = ("777k", "11.1"),
        ["bridge"] = ("524k", "11.9 (5.95 tx off)"),
        ["ovs-afpacket"] = ("188k-239k", "0.65 (tx off)"),
        ["ovs-tap"] = ("131k", "0.99"),
        ["ovs-afpacket-tso"] = ("230k", "5.67"),
        ["ovs-afxdp"] = ("642k", "2.62"),
    };

    public static string Label(string id) => Switches.FirstOrDefault(s => s.Id == id).Label ?? id;
}
