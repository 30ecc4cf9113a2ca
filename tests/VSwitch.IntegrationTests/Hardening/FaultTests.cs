using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Storage;
using VSwitch.Datapath.Tables;
using VSwitch.IntegrationTests.Infrastructure;

namespace VSwitch.IntegrationTests.Hardening;

/// <summary>
/// Faults the daemon must survive, with vswitchd started as a user would: an interface deleted
/// and re-created under a running AF_PACKET port, SIGKILL in the middle of a stream of table
/// edits, and a reload of a table file with a bad line.
/// </summary>
/// <remarks>Every namespace, link, process and file a test makes is removed in Dispose, also when
/// it fails. Waits are bounded polls: they stop a hung test, and nothing is asserted about time.</remarks>
public partial class FaultTests(ITestOutputHelper output)
{
    private const string Hosts = "198.18.0.100  web.cluster.local web\n";
    private const string Ethers = "02:00:00:00:00:53 198.18.0.53\n";

    [Fact]
    public void AfPacketDevice_DeletedAndRecreatedWithTheSameName_MarkedDownReattachedTrafficResumes()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-fault-");
        NetNamespace[] h = [env.Own(new NetNamespace("f1")), env.Own(new NetNamespace("f2")), env.Own(new NetNamespace("f3"))];
        VethPair[] links = [env.Own(new VethPair()), env.Own(new VethPair()), env.Own(new VethPair())];
        DaemonProcess daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"),
            [.. links.SelectMany(l => new[] { "--port", "afpacket:" + l.SwitchSide }), "--hosts", "none", "--ethers", "none", "--supervise-interval", "1"]));
        for (int i = 0; i < 3; i++) h[i].Adopt(links[i].HostSide, "eth0", $"198.18.0.{i + 1}/24", mac: $"02:00:00:00:06:0{i + 1}");
        Assert.Contains("1 received", h[0].Exec("ping", "-c", "1", "-W", "2", "198.18.0.2"));

        // Traffic runs throughout: h1 pings h2 five times a second, with a timestamp on each reply.
        Process stream = env.Start("ip", "netns", "exec", h[0].Name, "ping", "-D", "-i", "0.2", "-W", "1", "198.18.0.2");
        Thread.Sleep(1000);
        string port = links[1].SwitchSide;

        Sh.Run("ip", "link", "del", port);      // takes h2's end with it
        double deleted = PingReplies.Now();
        // The port reports itself down at once; supervision notices at its next look (once a second).
        PingReplies.Poll(() => PortState(daemon, port) == "down", "the port to be marked down");
        PingReplies.Poll(() => daemon.Counter($"supervisor/{port}/went-down") >= 1, "supervision to count the port down");
        // The others keep talking while it is gone.
        Assert.Contains("1 received", h[0].Exec("ping", "-c", "1", "-W", "2", "198.18.0.3"));

        Sh.Run("ip", "link", "add", port, "type", "veth", "peer", "name", links[1].HostSide);
        Sh.Run("ip", "link", "set", port, "up");
        h[1].Adopt(links[1].HostSide, "eth0", "198.18.0.2/24", mac: "02:00:00:00:06:02");
        double recreated = PingReplies.Now();
        PingReplies.Poll(() => PortState(daemon, port) == "up" && daemon.Counter($"supervisor/{port}/reopened") >= 1, "the port to be re-opened");
        PingReplies.Poll(() => h[0].TryExec("ping", "-c", "1", "-W", "1", "198.18.0.2").Stdout.Contains("1 received", StringComparison.Ordinal), "h1 to reach h2 again");
        Thread.Sleep(1500);
        string pings = env.Interrupt(stream);

        double[] replies = PingReplies.ReplyTimes(pings);
        int before = replies.Count(t => t < deleted), after = replies.Count(t => t > recreated);
        Assert.True(before > 0 && after > 0, $"replies before the deletion {before}, after the re-creation {after}:\n{pings}");
        output.WriteLine($"veth {port} deleted and re-created under a running AF_PACKET port: marked down, re-opened " +
            $"({daemon.Counter($"supervisor/{port}/reopened")} time(s)); the ping stream got {before} replies before and {after} after; " +
            $"h1 -> h3 kept working while it was gone");
    }

    [Fact]
    public void Daemon_KilledDuringAStreamOfHostsAdds_FileIsAlwaysWholeAndHoldsEveryAcknowledgedEdit()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-fault-");
        VethPair link = env.Own(new VethPair());
        string hosts = env.Path("hosts");
        File.WriteAllText(hosts, Hosts);
        string[] args = ["--port", "afpacket:" + link.SwitchSide, "--hosts", hosts, "--ethers", "none", "--zone", "cluster.local"];
        var expected = new List<string> { "web.cluster.local" };
        var report = new List<string>();

        for (int round = 0; round < 4; round++)
        {
            DaemonProcess daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
            // The restarted daemon serves what the file holds.
            using (JsonDocument list = daemon.CtlJson("hosts", "list"))
                Assert.Equal(expected.Count, list.RootElement.GetProperty("entries").GetArrayLength());

            // Odd rounds run vswitchctl once per edit, as a script would; even rounds send edits back
            // to back on one connection, so the kill lands inside an edit's write and fsync.
            var acknowledged = new List<string>();
            using var stop = new CancellationTokenSource();
            Thread editor = StartEditor(daemon, round, acknowledged, stop.Token);
            PingReplies.Poll(() => { lock (acknowledged) return acknowledged.Count >= 3 + round; }, "the first edits to be acknowledged");
            Sh.Run("kill", "-KILL", daemon.Pid.ToString(CultureInfo.InvariantCulture));
            stop.Cancel();
            Assert.True(editor.Join(TimeSpan.FromSeconds(30)), "the editor did not stop");

            TableParse<HostsEntry> file = HostsFileReader.Load(hosts);
            Assert.True(file.Ok, $"round {round}: the hosts file does not parse after SIGKILL: {string.Join("; ", file.Errors)}\n{File.ReadAllText(hosts)}");
            // What is durable is the file and its journal (an edit killed between its fsync'd
            // journal line and the fold): the next daemon folds the journal in before it loads.
            var journalErrors = new List<TableError>();
            var folded = new List<string>();
            using (var journal = new HostsJournal(hosts))
            {
                Assert.True(journal.TryRead(out List<HostsOperation> ops, journalErrors), string.Join("; ", journalErrors));
                Assert.True(HostsCompaction.TryFold(hosts, ops, folded.Add, out string why), why);
            }
            file = HostsFileReader.Parse(hosts, string.Join('\n', folded));
            List<string> names = [.. file.Entries.Select(e => e.CanonicalName)];
            string[] acked;
            lock (acknowledged) acked = [.. acknowledged];
            // Every acknowledged edit is there, in order; at most one more (the edit in flight) may be.
            List<string> prefix = [.. expected, .. acked];
            Assert.True(names.Count == prefix.Count || names.Count == prefix.Count + 1,
                $"round {round}: {names.Count} entries after {acked.Length} acknowledged edits:\n{File.ReadAllText(hosts)}");
            Assert.Equal(prefix, names.Take(prefix.Count));
            if (names.Count > prefix.Count) Assert.Equal(Name(round, acked.Length), names[^1]);
            string[] leftovers = [.. Directory.GetFiles(env.Dir).Select(Path.GetFileName).Where(f => f is not ("hosts" or "ctl.sock"))!];
            report.Add($"round {round} ({(round % 2 == 1 ? "vswitchctl per edit" : "one connection")}): killed after {acked.Length} acknowledged edits, " +
                $"file holds {names.Count - expected.Count} new lines{(names.Count > prefix.Count ? " (the edit in flight had reached the disk)" : "")}" +
                (leftovers.Length > 0 ? $", left behind until the restart: {string.Join(", ", leftovers!)}" : ""));
            expected = names;
        }

        // After the last kill the daemon starts on the file, removes what the kill left, and edits go on.
        DaemonProcess last = env.Own(new DaemonProcess(env.Path("ctl.sock"), args));
        Assert.Empty(Directory.GetFiles(env.Dir, ".hosts.*.tmp"));
        Sh.Result add = last.Ctl("hosts", "add", "198.18.9.9", "after.cluster.local");
        Assert.True(add.ExitCode == 0, add.Stderr + add.Stdout);
        Assert.Contains("after.cluster.local", File.ReadAllText(hosts), StringComparison.Ordinal);
        foreach (string line in report) output.WriteLine(line);
    }

    [Fact]
    public void Reload_HostsFileWithABadLine_RunningTableStillAnswersAndTheErrorIsReported()
    {
        Privileges.RequireRoot();
        using var env = new TestEnv("vsit-fault-");
        NetNamespace h1 = env.Own(new NetNamespace("r1"));
        VethPair link = env.Own(new VethPair());
        string hosts = env.Path("hosts"), ethers = env.Path("ethers");
        File.WriteAllText(hosts, Hosts);
        File.WriteAllText(ethers, Ethers);
        DaemonProcess daemon = env.Own(new DaemonProcess(env.Path("ctl.sock"),
            ["--port", "afpacket:" + link.SwitchSide, "--hosts", hosts, "--ethers", ethers, "--zone", "cluster.local"]));
        h1.Adopt(link.HostSide, "eth0", "198.18.0.1/24");
        Assert.Equal(["web.cluster.local. 60 IN A 198.18.0.100"], Dig.Query(h1, "198.18.0.53", "web.cluster.local").Records);

        File.AppendAllText(hosts, "198.18.0.101  new.cluster.local\n198.18.0.300  bad.cluster.local\n");
        Sh.Result reload = daemon.Ctl("reload");

        Assert.Equal(1, reload.ExitCode);
        Assert.Contains($"{hosts}:3:", reload.Stderr, StringComparison.Ordinal);
        Assert.Contains("198.18.0.300", reload.Stderr, StringComparison.Ordinal);
        Assert.Contains("in service are unchanged", reload.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, daemon.Counter("tables/loads-refused"));
        // The table in service still answers, and nothing of the refused file was taken.
        Assert.Equal(["web.cluster.local. 60 IN A 198.18.0.100"], Dig.Query(h1, "198.18.0.53", "web.cluster.local").Records);
        Assert.Equal("NXDOMAIN", Dig.Query(h1, "198.18.0.53", "new.cluster.local").Status);

        File.WriteAllText(hosts, Hosts + "198.18.0.101  new.cluster.local\n");
        Assert.Equal(0, daemon.Ctl("reload").ExitCode);
        Assert.Equal(["new.cluster.local. 60 IN A 198.18.0.101"], Dig.Query(h1, "198.18.0.53", "new.cluster.local").Records);
        output.WriteLine("reload of a hosts file with a bad line: refused with " + reload.Stderr.Trim().Replace('\n', ' ') + "; the table in service kept answering");
    }

    private static string Name(int round, int i) => $"e{round}-{i}.cluster.local";

    private static Thread StartEditor(DaemonProcess daemon, int round, List<string> acknowledged, CancellationToken stop)
    {
        var thread = new Thread(() =>
        {
            if (round % 2 == 1) EditWithVswitchctl(daemon, round, acknowledged, stop);
            else EditOnOneConnectionAsync(daemon, round, acknowledged, stop).GetAwaiter().GetResult();
        });
        thread.Start();
        return thread;
    }

    private static void EditWithVswitchctl(DaemonProcess daemon, int round, List<string> acknowledged, CancellationToken stop)
    {
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            if (daemon.Ctl("hosts", "add", $"198.18.{10 + round}.{i % 250 + 1}", Name(round, i)).ExitCode != 0) return;
            lock (acknowledged) acknowledged.Add(Name(round, i));
        }
    }

    private static async Task EditOnOneConnectionAsync(DaemonProcess daemon, int round, List<string> acknowledged, CancellationToken stop)
    {
        try
        {
            await using ControlClient client = await ControlClient.ConnectAsync(daemon.ControlPath, stop);
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                var args = new JsonObject { ["address"] = $"198.18.{10 + round}.{i % 250 + 1}", ["names"] = new JsonArray(Name(round, i)) };
                if (!(await client.CallAsync("hosts/add", args, stop)).Ok) return;
                lock (acknowledged) acknowledged.Add(Name(round, i));
            }
        }
        catch (Exception e) when (e is IOException or ControlConnectException or ControlProtocolException or OperationCanceledException
                                       or System.Net.Sockets.SocketException)
        {
            // The daemon was killed under the edit: what reached the disk is what the test checks.
        }
    }

    private static string? PortState(DaemonProcess daemon, string name)
    {
        using JsonDocument ports = daemon.CtlJson("ports");
        foreach (JsonElement p in ports.RootElement.GetProperty("ports").EnumerateArray())
        {
            if (p.GetProperty("name").GetString() == name) return p.GetProperty("state").GetString();
        }
        return null;
    }

}
