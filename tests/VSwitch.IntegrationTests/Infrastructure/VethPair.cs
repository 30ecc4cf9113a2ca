namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>A veth pair: the switch side stays in the root namespace, the host side moves into a host's.</summary>
public sealed class VethPair : IDisposable
{
    private static int _counter;

    public VethPair()
    {
        int n = Interlocked.Increment(ref _counter);
        SwitchSide = $"vsw{Environment.ProcessId % 10000}s{n}";
        HostSide = $"vsw{Environment.ProcessId % 10000}h{n}";
        Sh.Run("ip", "link", "add", SwitchSide, "type", "veth", "peer", "name", HostSide);
        Sh.Run("ip", "link", "set", SwitchSide, "up");
    }

    public string SwitchSide { get; }
    public string HostSide { get; }

    // Deleting one end deletes both; when the host's namespace went first, the pair is gone already.
    public void Dispose() => Sh.Try("ip", "link", "del", SwitchSide);
}
