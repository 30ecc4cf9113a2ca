using System.Text.Json;

using VSwitch.Datapath.Files;

namespace VSwitch.Daemon.Control.Protocol;

/// <summary>A request's arguments, checked against the command's declared arguments before it runs.</summary>
/// <remarks>Every argument is a string or, for one that takes several values, an array of strings; a
/// number is taken as its text, so <c>"vlan":10</c> and <c>"vlan":"10"</c> mean the same. Unknown
/// names, missing required arguments, too many values and over-long strings are refused here, so
/// a command's code only ever sees arguments within its bounds.</remarks>
public sealed class CommandArgs
{
    /// <summary>The longest string accepted as one argument value.</summary>
    public const int MaxValueLength = 4096;

    private readonly Dictionary<string, string[]> _values;

    private CommandArgs(Dictionary<string, string[]> values) => _values = values;

    public static CommandArgs Empty { get; } = new([]);

    /// <summary>The single value of <paramref name="name"/>, or null when it was not given.</summary>
    public string? Get(string name) => _values.TryGetValue(name, out string[]? v) ? v[0] : null;

    /// <summary>Every value of <paramref name="name"/>; empty when it was not given.</summary>
    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out string[]? v) ? v : [];

    /// <summary>Builds the arguments from the request's <c>args</c> member, or says why they are refused.</summary>
    public static bool TryCreate(JsonElement? json, IReadOnlyList<CommandArgument> declared, out CommandArgs args, out string error)
    {
        args = Empty;
        error = "";
        var values = new Dictionary<string, string[]>();
        if (json is JsonElement element && element.ValueKind != JsonValueKind.Null)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                error = "'args' must be an object";
                return false;
            }
            foreach (JsonProperty p in element.EnumerateObject())
            {
                CommandArgument? spec = declared.FirstOrDefault(d => d.Name == p.Name && !d.Local);
                if (spec is null)
                {
                    error = declared.Count == 0
                        ? $"unknown argument {UntrustedText.Quote(p.Name)}; this command takes none"
                        : $"unknown argument {UntrustedText.Quote(p.Name)}; this command takes {string.Join(", ", declared.Where(d => !d.Local).Select(d => d.Name))}";
                    return false;
                }
                if (values.ContainsKey(spec.Name))
                {
                    error = $"argument '{spec.Name}' is given twice";
                    return false;
                }
                if (!TryValues(p.Value, spec, out string[] list, out error)) return false;
                if (list.Length > 0) values[spec.Name] = list;
            }
        }
        foreach (CommandArgument d in declared)
        {
            if (d.Local) continue;
            int n = values.TryGetValue(d.Name, out string[]? v) ? v.Length : 0;
            if (n < d.Min)
            {
                error = d.Max == 1 ? $"argument '{d.Name}' is required" : $"argument '{d.Name}' needs at least {d.Min} value{(d.Min == 1 ? "" : "s")}";
                return false;
            }
        }
        args = new CommandArgs(values);
        return true;
    }

    private static bool TryValues(JsonElement value, CommandArgument spec, out string[] list, out string error)
    {
        list = [];
        error = "";
        if (value.ValueKind == JsonValueKind.Array)
        {
            int count = value.GetArrayLength();
            if (count > spec.Max)
            {
                error = spec.Max == 1 ? $"argument '{spec.Name}' takes one value" : $"argument '{spec.Name}' takes at most {spec.Max} values";
                return false;
            }
            list = new string[count];
            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (!TryScalar(item, spec, out list[i++], out error)) return false;
            }
            return true;
        }
        if (!TryScalar(value, spec, out string one, out error)) return false;
        list = [one];
        return true;
    }

    private static bool TryScalar(JsonElement value, CommandArgument spec, out string text, out string error)
    {
        text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => null!,
        };
        error = text is null ? $"argument '{spec.Name}' must be a string"
            : text.Length > MaxValueLength ? $"argument '{spec.Name}' is longer than {MaxValueLength} characters"
            : "";
        return error.Length == 0;
    }

}
