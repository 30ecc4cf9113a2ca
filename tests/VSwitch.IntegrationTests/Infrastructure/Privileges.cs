namespace VSwitch.IntegrationTests.Infrastructure;

/// <summary>Integration tests need root (namespaces, TAP devices, raw sockets).</summary>
public static class Privileges
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the test when not root, unless CI=true, where missing root is a failure.</summary>
    public static void RequireRoot()
    {
        if (Environment.UserName == "root" || geteuid() == 0) return;
        if (InCi) Assert.Fail("integration tests must run as root under CI=true");
        Assert.Skip("needs root for network namespaces (runs under CI=true)");
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
