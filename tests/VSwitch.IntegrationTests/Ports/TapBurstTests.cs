using System.Buffers.Binary;
using VSwitch.Daemon.Ports.Tap;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Ports;

/// <summary>Bursts through two TAP ports, both ways at once, each ten times longer than a forwarding
/// burst (32), so the device's queue fills while the loop forwards and runs dry again: whatever
/// reads and writes the frames (one system call each, or a batching design later), every frame
/// must arrive intact and in order.</summary>
public class TapBurstTests
{
    // IEEE 802 local experimental EtherType: the hosts' own traffic (IPv6 autoconfiguration) is
    // neither sent to nor counted by the test's sockets.
    private const ushort EtherType = 0x88B5;
    private const int Frames = 10 * 32 + 3;

    private static string DeviceName(char which) => $"vsib{Environment.ProcessId % 100000}{which}";

    [Fact]
    public void Burst_TenTimesAForwardingBurst_EveryFrameArrivesIntactAndInOrderBothWays()
    {
        Privileges.RequireRoot();
        using var h1 = new NetNamespace("h1");
        using var h2 = new NetNamespace("h2");
        using var sw = new InProcessSwitch();
        var a = new TapPort(DeviceName('a'), sw.Pool);
        var b = new TapPort(DeviceName('b'), sw.Pool);
        sw.Add(a);
        sw.Add(b);
        sw.Start();
        h1.Adopt(DeviceName('a'), "eth0", null);
        h2.Adopt(DeviceName('b'), "eth0", null);
        byte[] mac1 = Mac(h1), mac2 = Mac(h2);
        using PacketSocket s1 = h1.Inside(() => PacketSocket.Open("eth0", EtherType));
        using PacketSocket s2 = h2.Inside(() => PacketSocket.Open("eth0", EtherType));

        // Both directions at once, back to back: the sockets' buffers and the devices' queues
        // (1000 frames) hold a whole burst, so any frame missing was lost by the switch.
        var frame = new byte[1514];
        for (int seq = 0; seq < Frames; seq++)
        {
            s1.Send(frame.AsSpan(0, Build(frame, seq, mac1, mac2)));
            s2.Send(frame.AsSpan(0, Build(frame, seq, mac2, mac1)));
        }
        ExpectAll(s2, mac1, mac2, "h1 -> h2");
        ExpectAll(s1, mac2, mac1, "h2 -> h1");
        Assert.True(a.IsUp && b.IsUp);
    }

    private static void ExpectAll(PacketSocket socket, byte[] from, byte[] to, string direction)
    {
        var received = new byte[2048];
        var expected = new byte[1514];
        for (int seq = 0; seq < Frames; seq++)
        {
            int length = socket.Receive(received, 3000);
            Assert.True(length > 0, $"{direction}: frame {seq} of {Frames} never arrived");
            int expectedLength = Build(expected, seq, from, to);
            int got = length >= 18 ? BinaryPrimitives.ReadInt32BigEndian(received.AsSpan(14)) : -1;
            Assert.True(got == seq, $"{direction}: expected frame {seq}, got frame {got} (out of order or lost)");
            Assert.Equal(expectedLength, length);
            int differs = received.AsSpan(0, length).CommonPrefixLength(expected.AsSpan(0, length));
            Assert.True(differs == length, $"{direction}: frame {seq} differs at byte {differs}");
        }
    }

    /// <summary>Writes frame <paramref name="seq"/>: addresses, the EtherType, the sequence
    /// number, then a pattern that depends on both; lengths cycle through 60-1514 bytes.</summary>
    private static int Build(byte[] frame, int seq, byte[] from, byte[] to)
    {
        int length = 60 + seq * 37 % 1455;
        to.CopyTo(frame, 0);
        from.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherType);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), seq);
        for (int i = 18; i < length; i++) frame[i] = (byte)(seq * 7 + i + from[5]);
        return length;
    }

    private static byte[] Mac(NetNamespace host) =>
        Convert.FromHexString(host.Exec("cat", "/sys/class/net/eth0/address").Trim().Replace(":", "", StringComparison.Ordinal));
}
