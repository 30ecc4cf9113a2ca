using VSwitch.Datapath.Files;
namespace VSwitch.Daemon.Config;

/// <summary>What vswitchd's command line asked for.</summary>
/// <param name="Config">The merged configuration (file, then options), defaults not yet resolved; null on errors.</param>
/// <param name="Help">True for <c>-h</c>/<c>--help</c>: print help and exit.</param>
public sealed record CommandLineResult(SwitchConfig? Config, bool Help, IReadOnlyList<ConfigError> Errors)
{
    /// <summary>True for <c>--version</c>: print the version and exit.</summary>
    public bool Version { get; init; }
}

/// <summary>Reads vswitchd's options: <c>--config FILE</c> plus <c>--KEY VALUE</c> for every key of <see cref="ConfigKeys"/>.</summary>
/// <remarks>The config file is read first and the options are applied on top, so an option
/// overrides the file's value, and a repeatable option (<c>--port</c>, <c>--zone</c>) replaces the
/// file's list. <c>--KEY=VALUE</c> is accepted too.</remarks>
public static class CommandLine
{
    public const string Source = "command line";

    public static CommandLineResult Parse(IReadOnlyList<string> args)
    {
        var errors = new List<ConfigError>();
        var assignments = new List<ConfigAssignment>();
        string? configPath = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help") return new CommandLineResult(null, true, errors);
            if (arg is "--version") return new CommandLineResult(null, false, errors) { Version = true };
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                errors.Add(new ConfigError(Source, 0, $"unexpected argument {UntrustedText.Quote(arg, ConfigKeys.MaxQuotedChars)} (options are --key value)"));
                continue;
            }
            string key = arg[2..];
            string? value = null;
            int eq = key.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = key[(eq + 1)..];
                key = key[..eq];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            if (value is null)
            {
                errors.Add(new ConfigError(Source, 0, $"--{UntrustedText.Escape(key, ConfigKeys.MaxQuotedChars)} needs a value"));
                continue;
            }
            if (key == "config")
            {
                if (configPath is not null) errors.Add(new ConfigError(Source, 0, "--config is given twice"));
                configPath = value;
                continue;
            }
            if (ConfigKeys.Find(key) is null)
            {
                errors.Add(new ConfigError(Source, 0, $"unknown option {UntrustedText.Quote("--" + key, ConfigKeys.MaxQuotedChars)}"));
                continue;
            }
            assignments.Add(new ConfigAssignment(key, value, Source, 0));
        }
        if (errors.Count > 0) return new CommandLineResult(null, false, errors);

        SwitchConfig? config = new SwitchConfig();
        if (configPath is not null) config = ConfigFileReader.Load(configPath, config, errors);
        if (config is not null) config = ConfigKeys.ApplyAll(config, assignments, errors);
        return new CommandLineResult(errors.Count == 0 ? config : null, false, errors);
    }
}
