using System.Diagnostics;
using System.Globalization;
using System.Text;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Dhcp;

/// <summary>
/// dnsmasq as a DHCP server (its DNS off) in a test host: the real server that clients the
/// switch's table does not know still get their leases from. Ended by its PID on dispose.
/// </summary>
/// <remarks><c>ip netns exec</c> execs dnsmasq in place and <c>--keep-in-foreground</c> stops it
/// forking, so the process started here is dnsmasq itself.</remarks>
public sealed class DnsmasqDhcpServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    /// <param name="host">The server's host; <paramref name="listen"/> must be on its eth0 already.</param>
    /// <param name="range">dnsmasq's <c>--dhcp-range</c>: FIRST,LAST,MASK,LEASE.</param>
    public DnsmasqDhcpServer(NetNamespace host, string listen, string range, string directory)
    {
        string pidFile = Path.Combine(directory, "dnsmasq-dhcp.pid");
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "netns", "exec", host.Name, "dnsmasq", "--keep-in-foreground", "--port=0", "--no-resolv", "--no-hosts",
                     "--bind-interfaces", "--listen-address=" + listen, "--except-interface=lo", "--dhcp-range=" + range,
                     "--dhcp-leasefile=" + Path.Combine(directory, "dnsmasq.leases"), "--pid-file=" + pidFile, "--user=root",
                     "--log-dhcp", "--log-facility=-" })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dnsmasq");
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        // dnsmasq writes its pid file once its sockets are open.
        for (int i = 0; i < 100 && !File.Exists(pidFile); i++)
        {
            if (_process.HasExited) break;
            Thread.Sleep(100);
        }
        if (!File.Exists(pidFile))
        {
            Dispose();
            throw new InvalidOperationException("dnsmasq did not start:\n" + Log);
        }
    }

    /// <summary>What dnsmasq logged (every DHCP message, with --log-dhcp).</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Sh.Try("kill", "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture));
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill();
        }
        _process.WaitForExit();
        _process.Dispose();
    }
}
