using VSwitch.Daemon.Config;

namespace VSwitch.Tests.Fuzz.Targets;

/// <summary>vswitchd's config file reader: parsing, every key's value checks, and resolving defaults.</summary>
/// <remarks>Properties: nothing throws; a file is either accepted whole or refused with at least
/// one error, each with a line inside the file and a bounded, printable reason (errors are
/// printed to the terminal that started vswitchd).</remarks>
public sealed class ConfigFileTarget : IFuzzTarget
{
    public void Run(ReadOnlySpan<byte> input)
    {
        string text = TextInput.Decode(input);
        int lines = text.Split('\n').Length;
        var errors = new List<ConfigError>();
        List<ConfigAssignment> assignments = ConfigFileReader.Parse("vswitchd.conf", text, errors);
        SwitchConfig? config = ConfigKeys.ApplyAll(new SwitchConfig(), assignments, errors);
        foreach (ConfigError error in errors)
        {
            if (error.Line < 1 || error.Line > lines) throw new FuzzInvariantException($"an error on line {error.Line} of {lines}");
            TextInput.CheckReason("config", error.Reason);
        }
        if (errors.Count == 0 && config is null) throw new FuzzInvariantException("refused without an error");
        if (errors.Count == 0)
        {
            SwitchConfig resolved = config!.ResolveDefaults();
            _ = resolved.Dns;
            if (resolved.Ports.Count == 0) throw new FuzzInvariantException("a resolved config without ports");
        }
    }
}
