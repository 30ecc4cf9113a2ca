using System.Text.RegularExpressions;

namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>dig run inside a test host: the answer section and the status line.</summary>
public static partial class Dig
{
    public sealed record Answer(string Status, IReadOnlyList<string> Records, bool Authoritative);

    /// <param name="options">More dig options, e.g. <c>+notcp</c> (dig asks ANY over TCP unless told otherwise).</param>
    public static Answer Query(NetNamespace host, string server, string name, string type = "A", params string[] options)
    {
        string[] args = type == "PTR"
            ? ["dig", "+tries=1", "+time=2", .. options, "@" + server, "-x", name]
            : ["dig", "+tries=1", "+time=2", .. options, "@" + server, name, type];
        Sh.Result r = host.TryExec(TimeSpan.FromSeconds(15), args[0], args[1..]);
        Match status = Status().Match(r.Stdout);
        if (!status.Success) return new Answer("TIMEOUT", [], false);
        var records = new List<string>();
        bool inAnswer = false;
        foreach (string line in r.Stdout.Split('\n'))
        {
            if (line.StartsWith(";; ANSWER SECTION:", StringComparison.Ordinal)) inAnswer = true;
            else if (inAnswer && line.Trim().Length == 0) inAnswer = false;
            else if (inAnswer) records.Add(Regex.Replace(line.Trim(), @"\s+", " "));
        }
        return new Answer(status.Groups[1].Value, records, Flags().Match(r.Stdout).Groups[1].Value.Split(' ').Contains("aa"));
    }

    [GeneratedRegex(@"status: ([A-Z]+)")]
    private static partial Regex Status();

    [GeneratedRegex(@";; flags: ([a-z ]+);")]
    private static partial Regex Flags();
}
