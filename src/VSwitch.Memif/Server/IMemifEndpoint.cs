using VSwitch.Memif.Control;

namespace VSwitch.Memif.Server;

/// <summary>An interface id served on a <see cref="MemifListener"/>: what the listener needs to
/// accept a client's INIT for it and hand the connection over.</summary>
public interface IMemifEndpoint
{
    uint Id { get; }

    /// <summary>The secret a client must present, or null for none.</summary>
    string? Secret { get; }

    /// <summary>True while the endpoint has a peer (connected or mid-handshake): a second is refused.</summary>
    bool IsBusy { get; }

    /// <summary>Takes a connection whose INIT was accepted (and acknowledged). Called on the listener's
    /// servicing thread, which may not be the endpoint's: store it and pick it up on your own thread.</summary>
    void Offer(ControlChannel channel, string peerName);

    /// <summary>Told when a client for this id was refused at INIT (counted by the endpoint).</summary>
    void Refused(string reason);
}
