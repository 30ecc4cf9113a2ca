namespace VSwitch.Tests.Scenarios;

/// <summary>Every capture scenario, by its folder under captures/.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
        [.. L2Scenarios.All(), .. VlanScenarios.All(), .. MalformedScenarios.All(), .. PeepholeScenarios.All(), .. ConformanceScenarios.All(), .. DhcpScenarios.All()];
}
