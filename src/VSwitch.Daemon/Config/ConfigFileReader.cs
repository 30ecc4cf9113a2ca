using VSwitch.Datapath.Files;
namespace VSwitch.Daemon.Config;

// The config file, in the manner of sysctl.conf and dnsmasq.conf:
//
//     # comment
//     port = tap:vs0
//     port = tap:vs1,vlan=20
//     hosts = /var/lib/vswitch/hosts
//     mac-aging = 600
//
// One "key = value" per line; blank lines and lines whose first non-blank character is '#' are
// skipped. As in dnsmasq.conf, a '#' after a space or tab starts a comment that runs to the end
// of the line ("mac-aging = 600   # ten minutes"); a '#' inside a word is part of it, since paths
// may hold one ("hosts = /srv/a#b"). Keys are those of
// ConfigKeys, the same as vswitchd's options without the leading "--". Reading stops at nothing:
// every bad line is reported, and a file with any bad line is refused whole.
//
// A line "[tenant NAME]" opens a tenant's section: the keys after it, up to the next header, are
// that tenant's (TenantSections.cs). Keys before the first header are the switch's and the
// default tenant's.

/// <summary>Reads vswitchd's config file.</summary>
public static class ConfigFileReader
{
    /// <summary>The largest config file read; a config is a page of settings, not megabytes.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>The line up to its comment: a '#' at its start or after a space or tab (dnsmasq's rule).</summary>
    public static string WithoutComment(string line)
    {
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '#' && (i == 0 || line[i - 1] is ' ' or '\t')) return line[..i];
        }
        return line;
    }

    /// <summary>Parses the text of a config file into assignments, adding an error for each line that is not <c>key = value</c>.</summary>
    public static List<ConfigAssignment> Parse(string source, string text, List<ConfigError> errors)
    {
        var assignments = new List<ConfigAssignment>();
        int lineNumber = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNumber++;
            string line = WithoutComment(raw.TrimEnd('\r')).Trim();
            if (line.Length == 0) continue;
            if (line[0] == '[')
            {
                assignments.Add(ConfigAssignment.Section(SectionName(line, out string reason), source, lineNumber));
                if (reason.Length > 0) errors.Add(new ConfigError(source, lineNumber, reason));
                continue;
            }
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                errors.Add(new ConfigError(source, lineNumber, $"expected 'key = value', found {UntrustedText.Quote(line, ConfigKeys.MaxQuotedChars)}"));
                continue;
            }
            string key = line[..eq].Trim(), value = line[(eq + 1)..].Trim();
            if (key.Length == 0)
            {
                errors.Add(new ConfigError(source, lineNumber, "the line has a value but no key"));
                continue;
            }
            if (value.Length == 0)
            {
                errors.Add(new ConfigError(source, lineNumber, $"{UntrustedText.Quote(key, ConfigKeys.MaxQuotedChars)} has no value"));
                continue;
            }
            assignments.Add(new ConfigAssignment(key, value, source, lineNumber));
        }
        return assignments;
    }

    // "[tenant NAME]", with any spaces inside the brackets. A header that is not one still opens a
    // section (with no name), so that its keys are skipped rather than taken for the default tenant's.
    private static string SectionName(string line, out string reason)
    {
        string[] words = line[^1] == ']' ? line[1..^1].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) : [];
        if (words.Length == 2 && words[0] == "tenant")
        {
            reason = "";
            return words[1];
        }
        reason = $"expected a section header '[tenant NAME]', found {UntrustedText.Quote(line, ConfigKeys.MaxQuotedChars)}";
        return "";
    }

    /// <summary>Reads a config file and applies it on top of <paramref name="start"/>; null with every error when any line is bad.</summary>
    public static SwitchConfig? Load(string path, SwitchConfig start, List<ConfigError> errors)
    {
        // Bounded as it is read: a config path pointing at /dev/zero or a huge file is refused, not read.
        if (!Datapath.Files.BoundedFile.TryReadAllText(path, out string text, out string reason, MaxFileBytes))
        {
            errors.Add(new ConfigError(path, 0, reason));
            return null;
        }
        int before = errors.Count;
        List<ConfigAssignment> assignments = Parse(path, text, errors);
        SwitchConfig? config = ConfigKeys.ApplyAll(start, assignments, errors);
        return errors.Count == before ? config : null;
    }
}
