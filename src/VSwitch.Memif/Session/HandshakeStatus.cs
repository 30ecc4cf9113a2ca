namespace VSwitch.Memif.Session;

/// <summary>Where a handshake stands after a message.</summary>
public enum HandshakeStatus : byte
{
    /// <summary>Waiting for the peer's next message.</summary>
    InProgress,
    /// <summary>Connected: frames may move.</summary>
    Connected,
    /// <summary>Refused or broken; <c>Error</c> says why, and the session is over.</summary>
    Failed,
}
