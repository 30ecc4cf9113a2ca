using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using VSwitch.Daemon.Control.Protocol;

namespace VSwitch.Daemon.Control.Commands;

/// <summary><c>fdb show [VLAN]</c>: the MAC table, read on the loop's thread between two rounds.</summary>
public sealed class FdbShow : ControlCommand<FdbShowResult>
{
    public override string Name => "fdb/show";
    public override string Summary => "list the learned addresses: VLAN, MAC, port, age";
    public override IReadOnlyList<CommandArgument> Arguments { get; } = [new("vlan", "[VLAN]", Min: 0)];
    public override JsonTypeInfo<FdbShowResult> ResultType => ControlJsonContext.Default.FdbShowResult;

    internal override async Task<CommandOutcome> ExecuteAsync(Daemon daemon, CommandArgs args, CancellationToken cancel)
    {
        ushort? vlan = null;
        if (args.Get("vlan") is string text)
        {
            if (!ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort v) || v is < 1 or > 4094)
                return CommandOutcome.Fail($"VLAN '{text}' is not a number from 1 to 4094");
            vlan = v;
        }
        return Success(new FdbShowResult(await daemon.FdbAsync(vlan, cancel).ConfigureAwait(false)));
    }

    protected override TextView Render(FdbShowResult result) => TextView.Table(["vlan", "mac", "port", "age"],
        result.Entries.Select(e => new[]
        {
            e.Vlan.ToString(CultureInfo.InvariantCulture), e.Mac, e.Port, e.AgeSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
        }),
        $"{result.Entries.Count} entr{(result.Entries.Count == 1 ? "y" : "ies")}");
}

public sealed record FdbShowResult(IReadOnlyList<FdbEntry> Entries);
