using System.Net;

namespace VSwitch.Datapath.Tables;

/// <summary>One line of a hosts file: an address and the names that resolve to it.</summary>
/// <param name="Address">An IPv4 or IPv6 address, never with a zone id.</param>
/// <param name="CanonicalName">The first name on the line, as written except for a trailing dot.</param>
/// <param name="Aliases">The other names on the line, in order; possibly empty.</param>
/// <param name="Line">The 1-based line number the entry came from.</param>
/// <remarks>Names keep their case; the lookup table folds it. The same name may appear on several
/// lines, because a host may have several addresses (typically one IPv4 and one IPv6).</remarks>
public sealed record HostsEntry(IPAddress Address, string CanonicalName, IReadOnlyList<string> Aliases, int Line);
