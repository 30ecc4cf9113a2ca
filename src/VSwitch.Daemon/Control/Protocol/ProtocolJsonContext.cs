using System.Text.Json.Serialization;

namespace VSwitch.Daemon.Control.Protocol;

/// <summary>Source-generated JSON for the envelope of the control socket (request and response),
/// which the server and the client read whatever the command; each command's result has its
/// type in <c>Commands.ControlJsonContext</c>, with the same options.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    MaxDepth = 16)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
