using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;

namespace VSwitch.Daemon.Control.Commands;

// The control plane is a registry of small named commands (as OVS's unixctl is). Each command
// is one file holding its wire name (noun/verb), its usage, its arguments and their bounds, what
// it does, the record its result is, and how that record reads as text. The daemon runs the
// command; vswitchctl uses the same class to map its words onto the request and to print the
// result, so the two ends cannot drift apart.

/// <summary>A command's text rendering: an optional table, then lines.</summary>
/// <param name="Columns">Column headings, or null when there is no table.</param>
/// <param name="Rows">The table's rows, each as many cells as there are columns.</param>
/// <param name="Lines">Lines printed after the table.</param>
public sealed record TextView(IReadOnlyList<string>? Columns, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string> Lines)
{
    public static TextView Table(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows, params string[] lines) =>
        new(columns, rows.ToList(), lines);

    public static TextView Text(params string[] lines) => new(null, [], lines);
}

/// <summary>A control command: name, usage, arguments, execution in the daemon, text rendering.</summary>
public abstract class ControlCommand
{
    /// <summary>The wire name, <c>noun/verb</c> (or one word); on vswitchctl's command line, the words.</summary>
    public abstract string Name { get; }

    /// <summary>One line saying what the command does.</summary>
    public abstract string Summary { get; }

    /// <summary>The arguments, in the order vswitchctl takes them as words.</summary>
    public virtual IReadOnlyList<CommandArgument> Arguments => [];

    /// <summary><c>port add SPEC</c>: the command as typed to vswitchctl.</summary>
    public string Usage => string.Join(' ', [Name.Replace('/', ' '), .. Arguments.Select(a => a.Usage)]);

    /// <summary>Runs the command in the daemon. Errors are returned, not thrown; an exception is a bug.</summary>
    internal abstract Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel);

    /// <summary>Renders a result this command returned (as JSON) for a person.</summary>
    public abstract TextView Render(JsonElement result);
}

/// <summary>A command whose result is a <typeparamref name="TResult"/> record.</summary>
public abstract class ControlCommand<TResult> : ControlCommand
{
    /// <summary>The result's source-generated JSON contract (from <see cref="ControlJsonContext"/>).</summary>
    public abstract JsonTypeInfo<TResult> ResultType { get; }

    public sealed override TextView Render(JsonElement result) =>
        result.Deserialize(ResultType) is TResult r ? Render(r) : TextView.Text("(no result)");

    /// <summary>Renders the result for a person.</summary>
    protected abstract TextView Render(TResult result);

    protected CommandOutcome Success(TResult result) => CommandOutcome.Success(result, ResultType);
}
