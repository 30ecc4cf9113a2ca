using System.Diagnostics;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>Runs a command and returns its output; a non-zero exit throws with the command's stderr.</summary>
public static class Sh
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Try(string file, params string[] args) => Try(TimeSpan.FromSeconds(60), file, args);

    public static Result Try(TimeSpan timeout, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        p.StandardInput.Close();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static string Run(string file, params string[] args)
    {
        Result r = Try(file, args);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr.Trim()} {r.Stdout.Trim()}");
        return r.Stdout;
    }
}
