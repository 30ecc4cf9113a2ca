using VSwitch.Daemon.Ports.AfPacket;
using VSwitch.Daemon.Ports.Memif;
using VSwitch.Daemon.Ports.Pcap;
using VSwitch.Daemon.Ports.Tap;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;

namespace VSwitch.Daemon.Ports;

/// <summary>Opens the port a <see cref="PortSpec"/> names.</summary>
public static class PortFactory
{
    /// <exception cref="PortOpenException">The device or file cannot be opened; the message says why.</exception>
    public static IPort Open(PortSpec spec, FramePool pool, IClock clock)
    {
        try
        {
            return spec.Kind switch
            {
                PortSpec.PcapFile => new PcapFilePort(spec.Name, spec.Input, spec.Output, pool, clock),
                PortSpec.Tap => new TapPort(spec.Input!, pool, spec.Keep),
                PortSpec.AfPacket => new AfPacketPort(spec.Input!, pool),
                PortSpec.Pcap => new PcapLivePort(spec.Input!, pool),
                PortSpec.Memif => new MemifPort(spec.Name, spec.MemifOptions!, pool),
                _ => throw new PortOpenException($"{spec.Text}: unknown port kind {spec.Kind}"),
            };
        }
        catch (Exception e) when (e is not PortOpenException)
        {
            throw new PortOpenException($"{spec.Text}: {e.Message}", e);
        }
    }
}

/// <summary>A port could not be opened (no such device, no permission, a bad capture file).</summary>
public sealed class PortOpenException : Exception
{
    public PortOpenException(string message) : base(message) { }
    public PortOpenException(string message, Exception inner) : base(message, inner) { }
    public PortOpenException() { }
}
