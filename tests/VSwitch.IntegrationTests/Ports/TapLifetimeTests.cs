using VSwitch.Daemon.Ports.Linux;
using VSwitch.Daemon.Ports.Tap;
using VSwitch.Datapath.Buffers;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Ports;

/// <summary>A TAP device that existed before the switch survives it; one the switch made goes with it unless kept.</summary>
public class TapLifetimeTests
{
    private static string Name(char c) => $"vsit{Environment.ProcessId % 100000}{c}";

    [Fact]
    public void Dispose_DeviceExistedBefore_DeviceRemains()
    {
        Privileges.RequireRoot();
        string name = Name('e');
        Sh.Run("ip", "tuntap", "add", "dev", name, "mode", "tap");
        try
        {
            using var pool = new FramePool(16, 2048);
            var port = new TapPort(name, pool);
            Assert.True(port.Existed);
            port.Dispose();
            Assert.NotEqual(0u, NetDevice.IndexOf(name));
        }
        finally
        {
            Sh.Try("ip", "link", "del", name);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dispose_DeviceCreatedBySwitch_RemovedUnlessKept(bool keep)
    {
        Privileges.RequireRoot();
        string name = Name(keep ? 'k' : 'c');
        try
        {
            using var pool = new FramePool(16, 2048);
            var port = new TapPort(name, pool, keep);
            Assert.False(port.Existed);
            Assert.NotEqual(0u, NetDevice.IndexOf(name));
            port.Dispose();
            Assert.Equal(keep, NetDevice.IndexOf(name) != 0);
        }
        finally
        {
            Sh.Try("ip", "link", "del", name);
        }
    }
}
