using VSwitch.Daemon.Ports;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;

// vswitchd: today it replays pcap-file ports through the switch to the end and prints the
// counters; live ports, the control socket and the config file follow.
var specs = new List<PortSpec>();
var options = new SwitchOptions();
for (int i = 0; i < args.Length; i++)
{
    string arg = args[i];
    string Value() => i + 1 < args.Length ? args[++i] : throw Usage($"{arg} needs a value");
    switch (arg)
    {
        case "--port":
            if (!PortSpec.TryParse(Value(), out PortSpec? spec, out string error)) throw Usage(error);
            specs.Add(spec!);
            break;
        case "--mac-table-size":
            options = options with { MacTableSize = int.TryParse(Value(), out int size) && size > 0 ? size : throw Usage("--mac-table-size takes a positive number") };
            break;
        case "--mac-aging":
            options = options with { MacAging = TimeSpan.FromSeconds(int.TryParse(Value(), out int s) && s > 0 ? s : throw Usage("--mac-aging takes seconds > 0")) };
            break;
        case "-h" or "--help":
            Console.WriteLine(HelpText());
            return 0;
        default:
            throw Usage($"unknown option '{arg}'");
    }
}
if (specs.Count == 0)
{
    Console.Error.WriteLine("vswitchd: no ports; give at least one --port pcap-file:IN[,OUT]");
    return 2;
}

using var pool = new FramePool(1024);
var clock = new ManualClock();
var loop = new ForwardingLoop(pool, clock, options);
var ports = new List<IPort>();
try
{
    for (int i = 0; i < specs.Count; i++)
    {
        PortSpec s = specs[i];
        string name = specs.Count(o => o.Name == s.Name) > 1 ? $"{s.Name}#{i}" : s.Name;
        IPort port = PortFactory.Open(s with { Name = name }, pool, clock);
        ports.Add(port);
        loop.AddPort(port, s.Config);
    }
    long frames = CaptureReplay.Run(loop, clock);
    Console.WriteLine($"replayed {frames} frames");
    foreach (var (path, value) in loop.CounterSnapshot())
        if (value != 0) Console.WriteLine($"{path,-40} {value,12}");
    return 0;
}
finally
{
    foreach (IPort p in ports) p.Dispose();
}

static Exception Usage(string message)
{
    Console.Error.WriteLine("vswitchd: " + message);
    Console.Error.WriteLine(HelpText());
    Environment.Exit(2);
    return new InvalidOperationException(message);
}

static string HelpText() => """
    usage: vswitchd --port SPEC [--port SPEC ...] [--mac-table-size N] [--mac-aging SECONDS]
      --port pcap-file:IN[,OUT]   replay capture IN into the switch, record what leaves the port to OUT
    """;
