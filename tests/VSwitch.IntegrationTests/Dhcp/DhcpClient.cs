using System.Diagnostics;
using System.Globalization;
using System.Text;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Dhcp;

/// <summary>The real DHCP clients the tests run: busybox's udhcpc and ISC dhclient (Debian packages busybox and isc-dhcp-client).</summary>
public enum DhcpClientProgram
{
    Udhcpc,
    Dhclient,
}

/// <summary>
/// Runs a real DHCP client on eth0 of a test host and reads back the lease it was given.
/// </summary>
/// <remarks>
/// The client runs its event script of ours, written into the test's directory, which records the
/// lease and configures nothing (the packages' default scripts may be missing, and would touch
/// resolv.conf); a test that needs the address puts it on the interface itself. udhcpc runs with
/// <c>-q</c> and exits once bound, or with <see cref="StartUdhcpc"/> stays in the foreground to
/// renew, and is ended on dispose. dhclient forks into the background once bound, as it does in
/// use; it is ended by the PID in its pid file, and only when that PID is still the dhclient this
/// object started.
/// </remarks>
public sealed class DhcpClient : IDisposable
{
    private static int _counter;
    private readonly NetNamespace _host;
    private readonly string _script, _leaseOut, _leaseFile, _pidFile;
    private readonly StringBuilder _log = new();
    private Process? _udhcpc;

    public DhcpClient(DhcpClientProgram program, NetNamespace host, string directory)
    {
        Program = program;
        _host = host;
        int n = Interlocked.Increment(ref _counter);
        _script = Path.Combine(directory, $"dhcp-client-{n}.sh");
        _leaseOut = Path.Combine(directory, $"dhcp-client-{n}.lease");
        _leaseFile = Path.Combine(directory, $"dhclient-{n}.leases");
        _pidFile = Path.Combine(directory, $"dhclient-{n}.pid");
        File.WriteAllText(_script, Script(_leaseOut));
        Sh.Run("chmod", "u+x", _script);
    }

    public DhcpClientProgram Program { get; }

    /// <summary>What the client printed on its last run (so far, while udhcpc runs in the foreground), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_log) return _udhcpc is null ? _output : _log.ToString();
        }
    }

    private string _output = "";

    /// <summary>Runs the client once on eth0; the lease it got, or null when it got none.</summary>
    /// <param name="discovers">udhcpc: how many DISCOVERs it sends before giving up (dhclient tries for its configured 60 s).</param>
    /// <param name="pauseSeconds">udhcpc: how long it waits for an answer to each.</param>
    public DhcpLease? TryObtain(int discovers = 3, int pauseSeconds = 3)
    {
        End();
        File.Delete(_leaseOut);
        Sh.Result r = Program switch
        {
            DhcpClientProgram.Udhcpc => _host.TryExec(TimeSpan.FromSeconds(discovers * pauseSeconds + 30), "busybox", "udhcpc",
                "-i", "eth0", "-n", "-q", "-t", Text(discovers), "-T", Text(pauseSeconds), "-s", _script),
            _ => _host.TryExec(TimeSpan.FromSeconds(90), "dhclient", "-1", "-v", "-sf", _script, "-lf", _leaseFile, "-pf", _pidFile, "eth0"),
        };
        _output = $"{Program} exited {r.ExitCode}:\n{r.Stdout}{r.Stderr}";
        return File.Exists(_leaseOut) ? DhcpLease.Parse(File.ReadAllText(_leaseOut)) : null;
    }

    /// <summary>Like <see cref="TryObtain"/>, but a client without a lease fails the test with what it printed.</summary>
    public DhcpLease Obtain() => TryObtain() ?? throw new Xunit.Sdk.XunitException($"{Program} got no lease:\n{Output}");

    /// <summary>udhcpc only: starts it in the foreground (<c>-f</c>), where it stays to renew on
    /// <see cref="Renew"/>; <see cref="AwaitLease"/> waits for its first lease.</summary>
    /// <param name="extra">More udhcpc options, e.g. <c>-a</c> to check the address with ARP first.</param>
    public void StartUdhcpc(params string[] extra)
    {
        if (Program != DhcpClientProgram.Udhcpc || _udhcpc is not null) throw new InvalidOperationException("StartUdhcpc is for one udhcpc run");
        File.Delete(_leaseOut);
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "netns", "exec", _host.Name, "busybox", "udhcpc", "-f", "-i", "eth0", "-t", "3", "-s", _script }.Concat(extra))
            psi.ArgumentList.Add(a);
        // ip netns exec execs udhcpc in place, so this process is udhcpc itself.
        _udhcpc = Process.Start(psi) ?? throw new InvalidOperationException("cannot start udhcpc");
        _udhcpc.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _udhcpc.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _udhcpc.BeginErrorReadLine();
        _udhcpc.BeginOutputReadLine();
    }

    /// <summary>udhcpc started by <see cref="StartUdhcpc"/>: SIGUSR1 (renew now), and the lease it renewed.</summary>
    public DhcpLease Renew()
    {
        if (_udhcpc is null) throw new InvalidOperationException("Renew needs StartUdhcpc first");
        File.Delete(_leaseOut);
        Sh.Run("kill", "-USR1", Text(_udhcpc.Id));
        return AwaitLease();
    }

    /// <summary>The lease udhcpc started by <see cref="StartUdhcpc"/> reports next (within 20 s).</summary>
    public DhcpLease AwaitLease()
    {
        for (int i = 0; i < 200 && !File.Exists(_leaseOut); i++)
        {
            if (_udhcpc!.HasExited) break;
            Thread.Sleep(100);
        }
        return File.Exists(_leaseOut) ? DhcpLease.Parse(File.ReadAllText(_leaseOut)) : throw new Xunit.Sdk.XunitException($"udhcpc got no lease:\n{Output}");
    }

    /// <summary>Ends udhcpc started by <see cref="StartUdhcpc"/>, or a dhclient left in the background by the last run.</summary>
    private void End()
    {
        if (_udhcpc is not null)
        {
            if (!_udhcpc.HasExited)
            {
                Sh.Try("kill", "-TERM", Text(_udhcpc.Id));
                if (!_udhcpc.WaitForExit(TimeSpan.FromSeconds(5))) _udhcpc.Kill();
            }
            _udhcpc.WaitForExit();
            _udhcpc.Dispose();
            _udhcpc = null;
        }
        if (Program != DhcpClientProgram.Dhclient || !File.Exists(_leaseOut)) return;
        // The forked child writes the pid file just after the parent exits: give it a moment.
        for (int i = 0; i < 50 && !File.Exists(_pidFile); i++) Thread.Sleep(100);
        if (!File.Exists(_pidFile) || !int.TryParse(File.ReadAllText(_pidFile).Trim(), CultureInfo.InvariantCulture, out int pid)) return;
        if (!IsOurs(pid)) return;
        Sh.Try("kill", "-TERM", Text(pid));
        for (int i = 0; i < 50 && IsOurs(pid); i++) Thread.Sleep(100);
        if (IsOurs(pid)) Sh.Try("kill", "-KILL", Text(pid));
        File.Delete(_pidFile);
    }

    // The PID is ours while its command line still names our pid file (a PID can be reused).
    private bool IsOurs(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{Text(pid)}/cmdline").Contains(_pidFile, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => End();

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    // One script for both clients: udhcpc passes the event as $1 and the options as ip, subnet,
    // ...; dhclient passes none and sets reason and new_*. The file is renamed into place, so a
    // reader never sees half of it.
    private static string Script(string output) => $$"""
        #!/bin/sh
        # Written by VSwitch's integration tests: records the lease and configures nothing.
        out='{{output}}'
        case "${1:-}${reason:-}" in
          bound|renew)
            printf '{{DhcpLease.ScriptFormat}}' "$ip" "$subnet" "$router" "$dns" "$domain" "$serverid" "$lease" > "$out.tmp" && mv "$out.tmp" "$out" ;;
          BOUND|RENEW|REBIND|REBOOT)
            printf '{{DhcpLease.ScriptFormat}}' "$new_ip_address" "$new_subnet_mask" "$new_routers" "$new_domain_name_servers" \
              "$new_domain_name" "$new_dhcp_server_identifier" "$new_dhcp_lease_time" > "$out.tmp" && mv "$out.tmp" "$out" ;;
        esac
        exit 0

        """;
}
