using VSwitch.Daemon.Ports.AfPacket;
using VSwitch.Daemon.Ports.Tap;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Ports;

/// <summary>
/// TCP across the switch with the interfaces' default offloads on: veth and TAP hand over
/// partial checksums and 64 KiB super-frames, which the switch must carry or complete. The bytes
/// that arrive must be the bytes that were sent.
/// </summary>
public class TcpOffloadTests
{
    public enum PortKind { Tap, Veth }

    [Theory]
    [InlineData(PortKind.Tap, PortKind.Tap)]
    [InlineData(PortKind.Veth, PortKind.Veth)]
    [InlineData(PortKind.Tap, PortKind.Veth)]
    public void TcpTransfer_DefaultOffloads_BytesArriveIntact(PortKind first, PortKind second)
    {
        Privileges.RequireRoot();
        using var h1 = new NetNamespace("tx");
        using var h2 = new NetNamespace("rx");
        using var sw = new InProcessSwitch();
        var cleanup = new List<IDisposable>();
        try
        {
            Attach(sw, h1, first, "198.18.0.1/24", 'x', cleanup);
            Attach(sw, h2, second, "198.18.0.2/24", 'y', cleanup);
            sw.Start();

            var transfer = TcpTransfer.Run(h1, h2, "198.18.0.2", bytes: 64 << 20, TimeSpan.FromSeconds(60));
            string rate = $"{first}-{second}: {transfer.Sent * 8 / transfer.Elapsed.TotalSeconds / 1e9:F2} Gbit/s ({transfer.Sent >> 20} MiB in {transfer.Elapsed.TotalSeconds:F2} s)";
            TestContext.Current.TestOutputHelper?.WriteLine(rate);
            File.AppendAllText(Path.Combine(Path.GetTempPath(), "vswitch-tcp-rate.txt"), rate + "\n");
            Assert.True(transfer.Received == transfer.Sent && transfer.SentHash == transfer.ReceivedHash,
                $"sent {transfer.Sent} bytes, received {transfer.Received}, hashes {(transfer.SentHash == transfer.ReceivedHash ? "equal" : "differ")}");
        }
        finally
        {
            foreach (IDisposable d in Enumerable.Reverse(cleanup)) d.Dispose();
        }
    }

    private static void Attach(InProcessSwitch sw, NetNamespace host, PortKind kind, string cidr, char tag, List<IDisposable> cleanup)
    {
        if (kind == PortKind.Tap)
        {
            string name = $"vsit{Environment.ProcessId % 100000}{tag}";
            sw.Add(new TapPort(name, sw.Pool));
            host.Adopt(name, "eth0", cidr);
        }
        else
        {
            var pair = new VethPair();
            cleanup.Add(pair);
            sw.Add(new AfPacketPort(pair.SwitchSide, sw.Pool));
            host.Adopt(pair.HostSide, "eth0", cidr);
        }
    }

}
