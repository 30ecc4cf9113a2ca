namespace VSwitch.Daemon;

/// <summary>One learned address of the MAC table, as the daemon reports it.</summary>
/// <param name="Vlan">The VLAN the address was learned on.</param>
/// <param name="Mac">The address, <c>aa:bb:cc:dd:ee:ff</c>.</param>
/// <param name="Port">The name of the port it was last seen on.</param>
/// <param name="AgeSeconds">Seconds since it was last seen as a source.</param>
public sealed record FdbEntry(int Vlan, string Mac, string Port, double AgeSeconds);
