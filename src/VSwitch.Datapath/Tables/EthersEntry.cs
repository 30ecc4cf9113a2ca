using System.Net;

namespace VSwitch.Datapath.Tables;

/// <summary>One line of an ethers file: a MAC address and the neighbour that owns it.</summary>
/// <param name="Mac">A unicast, non-zero MAC in the low 48 bits (see <see cref="Frames.MacAddress"/>).</param>
/// <param name="Address">The neighbour's IP address, when the line gives one.</param>
/// <param name="HostName">The neighbour's host name, when the line gives one instead of an address;
/// as written except for a trailing dot.</param>
/// <param name="Line">The 1-based line number the entry came from.</param>
/// <remarks>Exactly one of <paramref name="Address"/> and <paramref name="HostName"/> is set. A host name
/// is resolved through the hosts table when the tables are built, not here.</remarks>
public sealed record EthersEntry(ulong Mac, IPAddress? Address, string? HostName, int Line);
