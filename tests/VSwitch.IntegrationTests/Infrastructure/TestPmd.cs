using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>DPDK's dpdk-testpmd with one or two memif vdevs: the independent memif peer of the interop tests.</summary>
/// <remarks>
/// <para>Runs as memif.md describes for this machine: no hugepages, no PCI, a file prefix of its own,
/// a main and a forwarding lcore, auto-start, and statistics printed every second (read back by
/// <see cref="RxPackets"/> and <see cref="TxPackets"/>). Dispose kills it by its process id and removes
/// its runtime directory.</para>
/// <para>When dpdk-testpmd is missing or cannot start, <see cref="Require"/> says so loudly: the test
/// fails under CI=true (the CI installs dpdk and dpdk-dev), and is skipped only on a developer's
/// machine without it.</para>
/// </remarks>
public sealed partial class TestPmd : IDisposable
{
    public const string Binary = "/usr/bin/dpdk-testpmd";
    private static int _instances;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _prefix;

    /// <param name="vdevs">Each one's arguments after <c>net_memifN,</c> (role=..., socket=..., id=...).</param>
    /// <param name="forwardMode">io, mac, macswap, icmpecho, txonly, rxonly ...</param>
    public TestPmd(IReadOnlyList<string> vdevs, string forwardMode, params string[] extra)
    {
        _prefix = $"vsit{Environment.ProcessId}x{Interlocked.Increment(ref _instances)}";
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string a in (string[])["--no-huge", "-m", "256", "--no-pci", "--file-prefix=" + _prefix, "--lcores=0@1,1@0", "--log-level=pmd.net.memif:info"])
            psi.ArgumentList.Add(a);
        for (int i = 0; i < vdevs.Count; i++) psi.ArgumentList.Add($"--vdev=net_memif{i},{vdevs[i]}");
        foreach (string a in (string[])["--", "--total-num-mbufs=8192", "--forward-mode=" + forwardMode, "-a", "--stats-period=1",
                     vdevs.Count == 1 ? "--port-topology=loop" : "--port-topology=paired", .. extra])
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + Binary);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Fails (CI=true) or skips (elsewhere) when testpmd is not installed.</summary>
    public static void Require()
    {
        Privileges.RequireRoot();
        if (File.Exists(Binary)) return;
        const string Why = Binary + " is missing: install the Debian packages dpdk and dpdk-dev (.ci/run does)";
        if (Privileges.InCi) Assert.Fail("DPDK testpmd cannot run on this CI machine: " + Why);
        Assert.Skip(Why);
    }

    /// <summary>The last RX-packets figure of port <paramref name="port"/> (-1 before the first statistics).</summary>
    public long RxPackets(int port = 0) => Last(RxRegex(), port);

    public long TxPackets(int port = 0) => Last(TxRegex(), port);

    /// <summary>Waits for <paramref name="text"/> in the output; false (with the output for the message) on time-out or exit.</summary>
    public bool WaitFor(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Output.Contains(text, StringComparison.Ordinal)) return true;
            if (_process.HasExited) return Output.Contains(text, StringComparison.Ordinal);
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>Waits until <paramref name="condition"/> holds on the statistics testpmd prints every second.</summary>
    public bool WaitForStats(Func<TestPmd, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout && !_process.HasExited)
        {
            if (condition(this)) return true;
            Thread.Sleep(100);
        }
        return condition(this);
    }

    private long Last(Regex regex, int port)
    {
        // Statistics blocks are "NIC statistics for port N" followed by its RX and TX lines.
        string text = Output;
        int at = text.LastIndexOf($"NIC statistics for port {port} ", StringComparison.Ordinal);
        if (at < 0) return -1;
        Match m = regex.Match(text, at);
        return m.Success ? long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            // A long run prints a statistics block a second; keep the tail, which is all anyone reads.
            if (_output.Length > 1 << 20) _output.Remove(0, 1 << 19);
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        _process.Dispose();
        try
        {
            Directory.Delete("/var/run/dpdk/" + _prefix, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [GeneratedRegex(@"RX-packets:\s+(\d+)")]
    private static partial Regex RxRegex();

    [GeneratedRegex(@"TX-packets:\s+(\d+)")]
    private static partial Regex TxRegex();
}
