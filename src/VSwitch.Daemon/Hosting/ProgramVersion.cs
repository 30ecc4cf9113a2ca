using System.Reflection;

namespace VSwitch.Daemon.Hosting;

/// <summary>What <c>--version</c> prints: the program, the release, and the commit it was built from.</summary>
public static class ProgramVersion
{
    /// <summary>The release and commit, as the build stamped them (<c>0.17.0+1a2b3c4...</c>).</summary>
    public static string Release { get; } =
        typeof(ProgramVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary><c>vswitchd 0.17.0+1a2b3c4...</c>.</summary>
    public static string Of(string program) => $"{program} {Release}";
}
