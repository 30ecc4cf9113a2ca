namespace VSwitch.Daemon.Control;

/// <summary>The bounds that keep one control client from costing anyone else anything.</summary>
public sealed record ControlServerOptions
{
    /// <summary>The longest request line; a longer one gets an error and the connection is closed.</summary>
    public long MaxLineBytes { get; init; } = 1024 * 1024;

    /// <summary>Clients served at once; one more is told so and closed.</summary>
    public int MaxClients { get; init; } = 64;

    /// <summary>How long a client may take to read a response before it is dropped.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection may stay silent between requests.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a command may run before it is answered with a time-out error.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Permission bits of the socket file.</summary>
    public UnixFileMode SocketMode { get; init; } = Config.Defaults.ControlMode;
}
