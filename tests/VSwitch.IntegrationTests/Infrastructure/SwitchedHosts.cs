using System.Diagnostics;
using System.Globalization;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>
/// vswitchd with one AF_PACKET port per test host, answering from hosts and ethers files in a temp
/// dir; each host is a namespace whose eth0 has the MAC it was given and no address until the
/// test adds one. Processes started through <see cref="Start"/> are ended by their PID on
/// dispose, and everything made is removed, also when setup or the test fails.
/// </summary>
public sealed class SwitchedHosts : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly List<Process> _processes = [];

    /// <param name="macs">One host per MAC, in this order.</param>
    /// <param name="daemonArgs">More vswitchd options (zones, DHCP scopes, ...).</param>
    public SwitchedHosts(string hosts, string ethers, IReadOnlyList<string> macs, params string[] daemonArgs)
        : this(hosts, ethers, macs, portOptions: null, daemonArgs)
    {
    }

    /// <param name="portOptions">Per host, what goes after its port spec (<c>,vlan=10</c>), or null for none.</param>
    public SwitchedHosts(string hosts, string ethers, IReadOnlyList<string> macs, IReadOnlyList<string>? portOptions, params string[] daemonArgs)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("vsit-hosts-").FullName;
        try
        {
            HostsPath = Path.Combine(Directory, "hosts");
            File.WriteAllText(HostsPath, hosts + "\n");
            File.WriteAllText(Path.Combine(Directory, "ethers"), ethers + "\n");
            var pairs = macs.Select(_ => Own(new VethPair())).ToList();
            Daemon = new DaemonProcess(Path.Combine(Directory, "vswitchd.sock"),
                [.. pairs.SelectMany((p, i) => new[] { "--port", "afpacket:" + p.SwitchSide + (portOptions?[i] ?? "") }), "--hosts", HostsPath,
                 "--ethers", Path.Combine(Directory, "ethers"), .. daemonArgs]);
            var hostsMade = new List<NetNamespace>();
            for (int i = 0; i < macs.Count; i++)
            {
                NetNamespace ns = Own(new NetNamespace("h" + i.ToString(CultureInfo.InvariantCulture)));
                ns.Adopt(pairs[i].HostSide, "eth0", ipv4Cidr: null, mac: macs[i]);
                hostsMade.Add(ns);
            }
            Hosts = hostsMade;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The temp dir: tables, control socket, and whatever a test writes there.</summary>
    public string Directory { get; }

    public string HostsPath { get; }

    public DaemonProcess Daemon { get; } = null!;

    public IReadOnlyList<NetNamespace> Hosts { get; } = [];

    /// <summary>Starts <paramref name="file"/> inside <paramref name="host"/> in the background; its output goes to <paramref name="log"/>.</summary>
    public Process Start(NetNamespace host, string log, string file, params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "netns", "exec", host.Name, file }.Concat(args)) psi.ArgumentList.Add(a);
        Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        _processes.Add(p);
        var sink = new StreamWriter(Path.Combine(Directory, log)) { AutoFlush = true };
        p.ErrorDataReceived += (_, e) => { lock (sink) sink.WriteLine(e.Data); };
        p.OutputDataReceived += (_, e) => { lock (sink) sink.WriteLine(e.Data); };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        return p;
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        foreach (Process p in _processes)
        {
            // ip netns exec execs the program in place: this PID is the program itself, ours to end.
            if (!p.HasExited) Sh.Try("kill", "-TERM", p.Id.ToString(CultureInfo.InvariantCulture));
            p.WaitForExit(5000);
            p.Dispose();
        }
        Daemon?.Dispose();
        foreach (IDisposable d in Enumerable.Reverse(_owned)) d.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
