using System.Text.Json;
using System.Text.Json.Serialization;

namespace VSwitch.Daemon.Control.Protocol;

/// <summary>One request line: <c>{"command":"fdb/show","args":{"vlan":"10"}}</c>.</summary>
/// <param name="Command">The command's wire name, <c>noun/verb</c>.</param>
/// <param name="Args">The arguments, an object of strings (or arrays of strings); absent or null for none.</param>
/// <remarks>Unknown members are refused, so a misspelt <c>"arg"</c> is an error rather than a silent no-op.</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ControlRequest(string? Command, JsonElement? Args);

/// <summary>One response line: <c>{"ok":true,"result":...}</c> or <c>{"ok":false,"error":"...","errors":[...]}</c>.</summary>
/// <param name="Ok">Whether the command did what was asked.</param>
/// <param name="Result">The command's result, when <paramref name="Ok"/>; its shape is the command's.</param>
/// <param name="Error">Why not, in one line, when not <paramref name="Ok"/>.</param>
/// <param name="Errors">Further lines for the error (every bad table line of a reload), when there are any.</param>
public sealed record ControlResponse(bool Ok, JsonElement? Result, string? Error, IReadOnlyList<string>? Errors);
