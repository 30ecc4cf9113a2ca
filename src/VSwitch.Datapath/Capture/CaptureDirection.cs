namespace VSwitch.Datapath.Capture;

/// <summary>Which of a port's frames a capture copies.</summary>
[Flags]
public enum CaptureDirection
{
    /// <summary>What the port receives, as received (before the ingress checks, tag and all).</summary>
    Rx = 1,
    /// <summary>What the switch transmits on the port, as sent (after tagging), peephole replies included.</summary>
    Tx = 2,
    Both = Rx | Tx,
}
