namespace VSwitch.Daemon.Ports.Memif;

/// <summary>A memif port's link, as <c>vswitchctl ports</c> shows it.</summary>
/// <param name="State"><c>listening</c> (server, no peer), <c>connecting</c> (client, no server yet), <c>handshake</c> or <c>connected</c>.</param>
/// <param name="PeerName">The connected peer's name (empty without one).</param>
/// <param name="RxRingSize">Slots in the ring we receive on (0 without a peer).</param>
/// <param name="TxRingSize">Slots in the ring we send on.</param>
/// <param name="Connects">Handshakes that completed.</param>
/// <param name="Disconnects">Links that ended (DISCONNECT, EOF, a protocol error).</param>
/// <param name="Refused">Peers refused at INIT or during the handshake.</param>
/// <param name="BadDescriptors">Frames dropped because the peer's descriptor was out of bounds or too long.</param>
/// <param name="BadCounters">Times the peer's ring counter ran more than a ring ahead (clamped).</param>
/// <param name="TxRingFull">Frames dropped because the peer had no free slot (or no peer).</param>
/// <param name="LastError">Why the last handshake or link ended, if it did.</param>
public sealed record MemifPortStatus(string State, string Role, string Socket, uint Id, string PeerName, int RxRingSize, int TxRingSize,
    long Connects, long Disconnects, long Refused, long BadDescriptors, long BadCounters, long TxRingFull, string? LastError);
