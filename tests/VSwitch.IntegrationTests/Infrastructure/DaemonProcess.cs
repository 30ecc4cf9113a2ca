using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>vswitchd started as a user would start it, with a control socket of its own; stopped with SIGTERM.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public DaemonProcess(string controlPath, params string[] args)
        : this([], controlPath, args)
    {
    }

    /// <summary>vswitchd started through <paramref name="wrapper"/> (<c>setpriv --bounding-set=-sys_admin</c>, say).</summary>
    public DaemonProcess(string[] wrapper, string controlPath, params string[] args)
        : this(controlPath, [.. wrapper, "dotnet", Built("vswitchd")], args)
    {
    }

    /// <summary>vswitchd as <paramref name="command"/> starts it (an installed <c>/usr/sbin/vswitchd</c>, say).</summary>
    private DaemonProcess(string controlPath, string[] command, string[] args)
    {
        ControlPath = controlPath;
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string c in command[1..]) psi.ArgumentList.Add(c);
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--control");
        psi.ArgumentList.Add(controlPath);
        // Each daemon's port state beside its socket, never the machine's /var/lib/vswitch/ports.
        if (!args.Contains("--port-state"))
        {
            psi.ArgumentList.Add("--port-state");
            psi.ArgumentList.Add(controlPath + ".ports");
        }
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start vswitchd");
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitReady(TimeSpan.FromSeconds(30));
    }

    /// <summary>The vswitchd at <paramref name="executable"/> (the .deb's), not the tree's build.</summary>
    public static DaemonProcess Program(string executable, string controlPath, params string[] args) => new(controlPath, [executable], args);

    public string ControlPath { get; }

    public int Pid => _process.Id;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Runs vswitchctl against this daemon.</summary>
    public Sh.Result Ctl(params string[] args) => Sh.Try("dotnet", [Built("vswitchctl"), "--control", ControlPath, .. args]);

    /// <summary>Runs <c>vswitchctl --json ...</c> and parses its one JSON document.</summary>
    public JsonDocument CtlJson(params string[] args)
    {
        Sh.Result r = Ctl(["--json", .. args]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"vswitchctl {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}{r.Stdout}");
        return JsonDocument.Parse(r.Stdout);
    }

    /// <summary>A counter from <c>vswitchctl --json stats</c>, by its path (e.g. <c>peephole/dns/replied</c>).</summary>
    public long Counter(string path)
    {
        using JsonDocument stats = CtlJson("stats");
        return Find(stats.RootElement, path) ?? throw new KeyNotFoundException($"no counter {path} in stats");
    }

    private static long? Find(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    if (p.Name == path && p.Value.ValueKind == JsonValueKind.Number) return p.Value.GetInt64();
                    if (Find(p.Value, path) is long v) return v;
                }
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in e.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("path", out JsonElement name) && name.GetString() == path
                        && item.TryGetProperty("value", out JsonElement value)) return value.GetInt64();
                    if (Find(item, path) is long v) return v;
                }
                break;
        }
        return null;
    }

    private void WaitReady(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"vswitchd exited {_process.ExitCode}:\n{Log}");
            if (File.Exists(ControlPath) && Ctl("ports").ExitCode == 0) return;
            Thread.Sleep(200);
        }
        throw new TimeoutException($"vswitchd did not answer on {ControlPath} within {timeout}:\n{Log}");
    }

    /// <summary>SIGKILL: the daemon ends with no chance to clean up, as in a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited) Sh.Try("kill", "-KILL", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, and the exit code once it stopped.</summary>
    public int Stop()
    {
        if (!_process.HasExited)
        {
            Sh.Try("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15))) _process.Kill();
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Stop();
        _process.Dispose();
    }

    /// <summary>The built dll of a project of this repository, from the same configuration as the tests.</summary>
    public static string Built(string project)
    {
        // .../tests/VSwitch.IntegrationTests/bin/CONFIGURATION/net10.0
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        return Path.Combine(RepoRoot(), "src", project, "bin", configuration, "net10.0", project + ".dll");
    }

    /// <summary>The repository's root: the folder above the tests that holds VSwitch.sln.</summary>
    public static string RepoRoot()
    {
        string baseDir = AppContext.BaseDirectory.TrimEnd('/');
        for (var dir = new DirectoryInfo(baseDir); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VSwitch.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("no VSwitch.sln above " + baseDir);
    }
}
