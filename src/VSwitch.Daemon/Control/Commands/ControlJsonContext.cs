using System.Text.Json.Serialization;
using VSwitch.Daemon.Ports;
using VSwitch.Daemon.Control.Protocol;
using VSwitch.Daemon.Storage;

namespace VSwitch.Daemon.Control.Commands;

/// <summary>Source-generated JSON for every type that crosses the control socket: no reflection, trimming-safe.</summary>
/// <remarks>Members are camelCase; nulls are left out. Add each new result type here.</remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    MaxDepth = 16)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(HelpResult))]
[JsonSerializable(typeof(CaptureResult))]
[JsonSerializable(typeof(TraceResult))]
[JsonSerializable(typeof(PortsResult))]
[JsonSerializable(typeof(PortInfo))]
[JsonSerializable(typeof(PortDelResult))]
[JsonSerializable(typeof(StatsResult))]
[JsonSerializable(typeof(FdbShowResult))]
[JsonSerializable(typeof(FdbFlushResult))]
[JsonSerializable(typeof(HostsListResult))]
[JsonSerializable(typeof(EthersListResult))]
[JsonSerializable(typeof(TableEdit))]
[JsonSerializable(typeof(TableLoad))]
[JsonSerializable(typeof(ReloadResult))]
[JsonSerializable(typeof(TenantsResult))]
[JsonSerializable(typeof(LogLevelResult))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
