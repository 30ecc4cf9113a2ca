using System.Diagnostics;
using System.Globalization;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>What a test made: removed in reverse order on dispose, also when the test fails.</summary>
public sealed class TestEnv : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly List<Process> _processes = [];

    public TestEnv(string prefix) => Dir = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Dir { get; }

    public string Path(string name) => System.IO.Path.Combine(Dir, name);

    public T Own<T>(T thing) where T : IDisposable
    {
        _owned.Add(thing);
        return thing;
    }

    /// <summary>Runs <paramref name="cleanup"/> on dispose, in turn with the things owned (deleting a device by name, say).</summary>
    public void OnDispose(Action cleanup) => _owned.Add(new Cleanup(cleanup));

    private sealed class Cleanup(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    public Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        _processes.Add(p);
        return p;
    }

    /// <summary>SIGINT to a process this test started, by its PID; its output once it exits.</summary>
    public string Interrupt(Process p)
    {
        Sh.Try("kill", "-INT", p.Id.ToString(CultureInfo.InvariantCulture));
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(10))) p.Kill();
        return stdout.Result;
    }

    public void Dispose()
    {
        foreach (Process p in _processes)
        {
            if (!p.HasExited) Sh.Try("kill", "-KILL", p.Id.ToString(CultureInfo.InvariantCulture));
            p.WaitForExit(5000);
            p.Dispose();
        }
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
