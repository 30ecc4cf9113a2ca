namespace VSwitch.Daemon.Control.Protocol;

/// <summary>One declared argument: its name on the wire, its usage word, and how many values it takes.</summary>
/// <param name="Name">The member of <c>args</c> (<c>spec</c>).</param>
/// <param name="Usage">The word in usage text (<c>SPEC</c>, <c>[VLAN]</c>, <c>NAME...</c>).</param>
/// <param name="Min">Fewest values: 0 makes it optional.</param>
/// <param name="Max">Most values: 1 for a plain string, more for a list.</param>
/// <remarks>An argument marked <see cref="Option"/> is given to vswitchctl as <c>--NAME VALUE</c> anywhere
/// on its command line rather than as a word in order (<c>--tenant</c>); on the wire it is one more member of <c>args</c>.</remarks>
public sealed record CommandArgument(string Name, string Usage, int Min = 1, int Max = 1)
{
    /// <summary>Given as an option, <c>--NAME VALUE</c>, on vswitchctl's command line.</summary>
    public bool Option { get; init; }

    /// <summary>Taken by vswitchctl for itself and never sent (capture's FILE: vswitchctl opens it, not the daemon).</summary>
    public bool Local { get; init; }

    /// <summary>The tenant whose tables a table command works on; the default tenant when absent.</summary>
    public static CommandArgument Tenant { get; } = new("tenant", "[--tenant NAME]", Min: 0) { Option = true };
}
