using VSwitch.Datapath.Capture;

namespace VSwitch.Daemon.Capture;

/// <summary>What to capture: the port, which directions, how many frames (0: until stopped), and how much of each.</summary>
internal sealed record CaptureRequest(string Port, CaptureDirection Directions, long Count, int SnapLength)
{
    /// <summary>tcpdump's default: whole frames, super-frames included.</summary>
    public const int DefaultSnapLength = 262144;

    /// <summary>The ring between the loop and the writer: about 45,000 minimum-size frames, or 60 super-frames.</summary>
    public const int RingBytes = 4 * 1024 * 1024;
}
