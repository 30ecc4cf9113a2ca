using VSwitch.Datapath.Capture;
using VSwitch.Datapath.Counters;

namespace VSwitch.Datapath.Ports;

/// <summary>A port as the switch holds it: the device, how to treat it, its counters and its queue.</summary>
public sealed class AttachedPort(ushort id, IPort port, PortConfig config)
{
    public ushort Id { get; } = id;
    public IPort Port { get; } = port;
    public PortConfig Config { get; } = config;
    public PortCounters Counters { get; } = new();
    public TxQueue Tx { get; } = new();

    /// <summary>The capture copying this port's frames, or null (the usual case). Set on the loop's thread.</summary>
    public PortCapture? Capture { get; set; }
}
