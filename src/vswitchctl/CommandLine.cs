using VSwitch.Daemon.Control.Protocol;
using System.Text.Json;
using System.Text.Json.Nodes;
using VSwitch.Daemon.Config;
using VSwitch.Daemon.Control;
using VSwitch.Daemon.Control.Commands;

namespace VSwitch.Ctl;

// vswitchctl [--control PATH] [--json] [--tenant NAME] COMMAND [ARG...]
//
// The words of a command are its wire name with '/' as a space ("fdb show" is fdb/show), and
// its arguments are taken in the order the command declares them, the last one taking the
// rest of the words when it accepts several. An argument the command marks as an option
// (--tenant NAME) is given as one, anywhere before "--". The command classes in VSwitch.Daemon are the
// single description of both ends: the registry maps words to requests here and renders
// results here, so vswitchctl knows no command of its own.

/// <summary>vswitchctl's command line: parse, send one request, print the result.</summary>
public static class CommandLine
{
    public const int ExitOk = 0, ExitFailed = 1, ExitUsage = 2;

    /// <summary>Runs vswitchctl with <paramref name="args"/>, writing to <paramref name="stdout"/> and <paramref name="stderr"/>.</summary>
    /// <returns>0 done; 1 the daemon cannot be reached or said no; 2 bad usage.</returns>
    /// <param name="stdoutStream">stdout as bytes, for <c>capture ... -</c>; the process's own when null.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr,
        Stream? stdoutStream = null, CancellationToken cancel = default)
    {
        string control = Defaults.ControlPath;
        // Known before anything can fail: with --json every error is JSON too, on stdout.
        bool json = args.TakeWhile(a => a != "--").Contains("--json");
        var output = new Output(json, stdout, stderr);
        var words = new List<string>();
        var options = new Dictionary<string, string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                words.AddRange(args.Skip(i + 1));
                break;
            }
            switch (a)
            {
                case "-h" or "--help":
                    await stdout.WriteLineAsync(HelpText()).ConfigureAwait(false);
                    return ExitOk;
                case "--version":
                    await stdout.WriteLineAsync(VSwitch.Daemon.Hosting.ProgramVersion.Of("vswitchctl")).ConfigureAwait(false);
                    return ExitOk;
                case "--json":
                    json = true;
                    break;
                case "--control" when i + 1 < args.Count:
                    control = args[++i];
                    break;
                case "--control":
                    return await output.UsageAsync("--control needs a path").ConfigureAwait(false);
                case "--tenant" when i + 1 < args.Count:
                    options["tenant"] = args[++i];
                    break;
                case "--tenant":
                    return await output.UsageAsync("--tenant needs a tenant's name").ConfigureAwait(false);
                case var _ when a.StartsWith("--", StringComparison.Ordinal) && IsCommandOption(a[2..]):
                    if (i + 1 >= args.Count) return await output.UsageAsync($"{a} needs a value").ConfigureAwait(false);
                    options[a[2..]] = args[++i];
                    break;
                default:
                    if (a.StartsWith("--", StringComparison.Ordinal))
                        return await output.UsageAsync($"unknown option '{a}'").ConfigureAwait(false);
                    words.Add(a);
                    break;
            }
        }
        if (words.Count == 0) return await output.UsageAsync("no command given").ConfigureAwait(false);
        if (!TryBuildRequest(words, out ControlCommand? command, out JsonObject? requestArgs, out string error, options))
            return await output.UsageAsync(error).ConfigureAwait(false);

        // trace's FRAME as a capture file: read here, sent as hex.
        if (command is TraceCommand && requestArgs?["frame"] is JsonArray { Count: 1 } frameWords
            && frameWords[0]!.GetValue<string>() is var frameFile && File.Exists(frameFile))
        {
            if (!TraceFile.TryRead(frameFile, out string hex, out string fileError)) return await output.FailAsync(fileError, []).ConfigureAwait(false);
            requestArgs["frame"] = new JsonArray(JsonValue.Create(hex));
        }

        // Arguments vswitchctl keeps for itself (capture's FILE) are not sent.
        var locals = new Dictionary<string, string>();
        foreach (var local in command!.Arguments.Where(x => x.Local))
        {
            if (requestArgs?[local.Name] is JsonNode value)
            {
                locals[local.Name] = value.GetValue<string>();
                requestArgs.Remove(local.Name);
            }
        }
        if (requestArgs?.Count == 0) requestArgs = null;

        ControlClient client;
        try
        {
            client = await ControlClient.ConnectAsync(control, cancel).ConfigureAwait(false);
        }
        catch (ControlConnectException e)
        {
            return await output.FailAsync(e.Message, []).ConfigureAwait(false);
        }
        await using (client.ConfigureAwait(false))
        {
            if (command is TraceCommand trace && requestArgs?["live"] is not null)
                return await LiveTraceCopy.RunAsync(client, trace, requestArgs, json, stdout, stderr, cancel).ConfigureAwait(false);
            if (command is CaptureCommand)
                return await CaptureCopy.RunAsync(client, command.Name, requestArgs, locals["file"], json,
                    stdoutStream ?? StandardOutput(), stdout, stderr, cancel).ConfigureAwait(false);
            ControlReply reply;
            try
            {
                reply = await client.CallAsync(command!.Name, requestArgs, cancel).ConfigureAwait(false);
            }
            catch (ControlProtocolException e)
            {
                return await output.FailAsync(e.Message, []).ConfigureAwait(false);
            }
            if (!reply.Ok) return await output.FailAsync($"{command.Name.Replace('/', ' ')}: {reply.Error}", reply.Errors).ConfigureAwait(false);
            await stdout.WriteAsync(json ? Json(reply.Result) : TextTable.Render(command.Render(reply.Result))).ConfigureAwait(false);
            return ExitOk;
        }
    }

    // Not Console.OpenStandardOutput(): that stream ignores EPIPE, and a capture piped into a reader that
    // quit (tcpdump -c) must see the error to end.
    private static FileStream StandardOutput() =>
        new(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);

    // An option some command takes (--direction, --count): checked against the command once it is known.
    private static bool IsCommandOption(string name) => CommandRegistry.All.Any(c => c.Arguments.Any(a => a.Option && a.Name == name));

    /// <summary>Maps words to a command and its arguments: the longest wire name that the words spell, then its arguments in order.</summary>
    /// <param name="options">Arguments given as <c>--NAME VALUE</c> (<c>tenant</c>); each must be one the command marks as an option.</param>
    public static bool TryBuildRequest(IReadOnlyList<string> words, out ControlCommand? command, out JsonObject? args, out string error,
        IReadOnlyDictionary<string, string>? options = null)
    {
        args = null;
        error = "";
        int used = 2;
        command = words.Count >= 2 ? CommandRegistry.Find(words[0] + "/" + words[1]) : null;
        if (command is null)
        {
            used = 1;
            command = CommandRegistry.Find(words[0]);
        }
        if (command is null)
        {
            string given = string.Join(' ', words.Take(2));
            ControlCommand? close = CommandRegistry.Closest(given) ?? CommandRegistry.Closest(words[0]);
            error = $"unknown command '{given}'" + (close is null ? "" : $" (did you mean '{close.Name.Replace('/', ' ')}'?)");
            return false;
        }
        var rest = words.Skip(used).ToList();
        var json = new JsonObject();
        foreach (var (name, value) in options ?? new Dictionary<string, string>())
        {
            if (!command.Arguments.Any(a => a.Option && a.Name == name))
            {
                error = $"'{command.Name.Replace('/', ' ')}' takes no --{name}; usage: {command.Usage}";
                return false;
            }
            json[name] = JsonValue.Create(value);
        }
        int next = 0;
        foreach (CommandArgument a in command.Arguments)
        {
            if (a.Option) continue;
            int available = rest.Count - next;
            int take = a.Max == 1 ? Math.Min(1, available) : Math.Min(a.Max, available);
            if (take < a.Min)
            {
                error = $"usage: {command.Usage}";
                return false;
            }
            if (take == 0) continue;
            json[a.Name] = a.Max == 1
                ? JsonValue.Create(rest[next])
                : new JsonArray(rest.Skip(next).Take(take).Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
            next += take;
        }
        if (next < rest.Count)
        {
            error = $"too many arguments; usage: {command.Usage}";
            return false;
        }
        args = json.Count > 0 ? json : null;
        return true;
    }

    private static string Json(JsonElement result)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            result.WriteTo(w);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    // Where errors go: stderr as text, or, with --json, stdout as {"ok":false,"error":...,"errors":[...]}
    // (the shape of the control protocol's own errors), so a script reads one document either way.
    private sealed class Output(bool json, TextWriter stdout, TextWriter stderr)
    {
        // Quotes and non-ASCII as they are (the document is read by people too), not as \u escapes.
        private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public async Task<int> UsageAsync(string message)
        {
            if (json) return await JsonErrorAsync(message, [], ExitUsage).ConfigureAwait(false);
            await stderr.WriteLineAsync("vswitchctl: " + message).ConfigureAwait(false);
            await stderr.WriteLineAsync("vswitchctl: try 'vswitchctl --help'").ConfigureAwait(false);
            return ExitUsage;
        }

        public async Task<int> FailAsync(string message, IReadOnlyList<string> details)
        {
            if (json) return await JsonErrorAsync(message, details, ExitFailed).ConfigureAwait(false);
            await stderr.WriteLineAsync("vswitchctl: " + message).ConfigureAwait(false);
            foreach (string line in details) await stderr.WriteLineAsync("  " + line).ConfigureAwait(false);
            return ExitFailed;
        }

        private async Task<int> JsonErrorAsync(string message, IReadOnlyList<string> details, int code)
        {
            var error = new JsonObject
            {
                ["ok"] = false,
                ["error"] = message,
                ["errors"] = new JsonArray([.. details.Select(d => (JsonNode?)JsonValue.Create(d))]),
            };
            await stdout.WriteLineAsync(error.ToJsonString(Readable)).ConfigureAwait(false);
            return code;
        }
    }

    public static string HelpText() =>
        $"""
        usage: vswitchctl [--control PATH] [--json] [--tenant NAME] COMMAND [ARG...]

        Sends one command to a running vswitchd over its control socket and prints the result,
        as a table or, with --json, as one JSON document (docs/control-protocol.md).

          --control PATH   the daemon's socket (default {Defaults.ControlPath})
          --json           print the result as JSON, and errors as one JSON object on stdout
          --version        print the version and exit
          --tenant NAME    the tenant whose tables a hosts, ethers or reload command works on
                           (default: the default tenant; 'vswitchctl tenants' lists them)
          --direction, --count, --snaplen   capture's options (see its usage below)

        Commands:
        {string.Join("\n", CommandRegistry.All.Select(c => "  " + c.Usage.PadRight(34) + " " + c.Summary))}

        Exit status: 0 done; 1 vswitchd cannot be reached or refused the command; 2 bad usage.
        """;
}
