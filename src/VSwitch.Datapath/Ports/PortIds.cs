namespace VSwitch.Datapath.Ports;

/// <summary>Port numbers with a special meaning.</summary>
public static class PortIds
{
    /// <summary>The pseudo-port injected replies come from. It is never learned, so an answer the
    /// switch writes cannot teach the MAC table that the answering host lives on the asker's port.</summary>
    public const ushort Responder = 0xFFFE;

    /// <summary>Most ports one switch carries; port numbers are below this.</summary>
    public const int MaxPorts = 1024;
}
