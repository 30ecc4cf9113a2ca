using Microsoft.Extensions.Logging.Abstractions;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Control.Commands;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;

namespace VSwitch.Tests.Control;

/// <summary>A daemon running in-process with two memory ports, tables and a control socket in a temp directory.</summary>
/// <remarks>The loop runs on its own thread as in vswitchd; the memory ports are touched only
/// through <see cref="Daemon.InvokeAsync{T}"/>, on the loop's thread, since they are not thread-safe.
/// Supervision runs only when a test asks (<c>SuperviseOnceAsync</c>).</remarks>
internal sealed class TestDaemon : IAsyncDisposable
{
    private TestDaemon(string dir, VSwitch.Daemon.Daemon daemon, MemoryPort[] ports)
    {
        Dir = dir;
        Daemon = daemon;
        Ports = ports;
    }

    public string Dir { get; }
    public VSwitch.Daemon.Daemon Daemon { get; }
    public MemoryPort[] Ports { get; }
    public string Socket => Path.Combine(Dir, "ctl.sock");
    public string Hosts => Path.Combine(Dir, "hosts");
    public string Ethers => Path.Combine(Dir, "ethers");

    /// <param name="configure">Changes the config before the daemon starts, given the temp directory (tenant tests add sections).</param>
    /// <param name="ports">The two ports' VLAN mode and MTU; access ports on VLAN 1 by default.</param>
    public static async Task<TestDaemon> StartAsync(string hosts = "", string ethers = "", IReadOnlyList<string>? zones = null,
        Func<string, SwitchConfig, SwitchConfig>? configure = null, PortConfig? ports = null)
    {
        string dir = Directory.CreateTempSubdirectory("vsd").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "hosts"), hosts);
        await File.WriteAllTextAsync(Path.Combine(dir, "ethers"), ethers);
        var config = new SwitchConfig
        {
            HostsPath = Path.Combine(dir, "hosts"),
            EthersPath = Path.Combine(dir, "ethers"),
            ControlPath = Path.Combine(dir, "ctl.sock"),
            Zones = zones ?? [],
            Idle = new IdlePolicy(SpinMicroseconds: 0, YieldMicroseconds: 100, SleepMicroseconds: 200),
            FramePoolSlots = 256,
            SuperviseInterval = TimeSpan.FromHours(1),
        };
        if (configure is not null) config = configure(dir, config);
        PortConfig portConfig = ports ?? PortConfig.Default;
        var memoryPorts = new MemoryPort[2];
        VSwitch.Daemon.Daemon daemon = await VSwitch.Daemon.Daemon.StartAsync(config, NullLoggerFactory.Instance, CommandDispatcher.For, pool =>
        {
            memoryPorts[0] = new MemoryPort("p1", pool);
            memoryPorts[1] = new MemoryPort("p2", pool);
            return [(memoryPorts[0], portConfig), (memoryPorts[1], portConfig)];
        });
        return new TestDaemon(dir, daemon, memoryPorts);
    }

    public Task<ControlClient> ConnectAsync() => ControlClient.ConnectAsync(Socket);

    /// <summary>Hands <paramref name="frame"/> to port <paramref name="port"/> as if it arrived on the wire.</summary>
    public Task SendAsync(int port, byte[] frame) => Daemon.InvokeAsync(_ =>
    {
        Ports[port].Enqueue(frame);
        return 0;
    });

    /// <summary>What port <paramref name="port"/> has sent so far.</summary>
    public Task<List<byte[]>> SentAsync(int port) => Daemon.InvokeAsync(_ => Ports[port].Sent.ToList());

    /// <summary>Waits until port <paramref name="port"/> has sent at least <paramref name="count"/> frames, or 10 s.</summary>
    public async Task<List<byte[]>> WaitSentAsync(int port, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            List<byte[]> sent = await SentAsync(port);
            if (sent.Count >= count || DateTime.UtcNow > deadline) return sent;
            await Task.Delay(5);
        }
    }

    /// <summary>Runs enough loop rounds that anything queued before has gone through.</summary>
    public async Task SettleAsync()
    {
        for (int i = 0; i < 3; i++) await Daemon.InvokeAsync(_ => 0);
    }

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
