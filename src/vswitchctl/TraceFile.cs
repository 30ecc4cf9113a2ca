using SharpPcap;
using SharpPcap.LibPcap;

namespace VSwitch.Ctl;

/// <summary>trace's FRAME given as a capture file: vswitchctl reads its first frame (libpcap reads pcap and
/// pcapng) and sends it as hex, so the daemon never opens a path a user named.</summary>
internal static class TraceFile
{
    public static bool TryRead(string path, out string hex, out string error)
    {
        hex = "";
        try
        {
            using var file = new CaptureFileReaderDevice(path);
            file.Open();
            if (file.GetNextPacket(out PacketCapture capture) != GetPacketStatus.PacketRead)
            {
                error = $"{path}: the capture holds no frame";
                return false;
            }
            hex = Convert.ToHexStringLower(capture.Data);
            error = "";
            return true;
        }
        catch (Exception e) when (e is PcapException or DllNotFoundException or IOException)
        {
            error = $"{path}: not a capture libpcap can read: {e.Message}";
            return false;
        }
    }
}
