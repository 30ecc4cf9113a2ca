namespace VSwitch.Datapath.Tenancy;

/// <summary>
/// The IPv6 routers one tenant's segments have: learned from the Router Advertisements the switch
/// forwards, so that the neighbour responder leaves solicitations for them to the routers themselves.
/// </summary>
/// <remarks>
/// <para>Why: an advertisement the switch writes has R=0, and a host whose neighbour entry says
/// IsRouter that receives R=0 removes the router from its default router list (RFC 4861 7.2.5),
/// losing its IPv6 default route until the next Router Advertisement. Only the router can say R=1
/// truthfully, so a solicitation for a router's address, or for any address of a MAC that sends
/// Router Advertisements, is forwarded to it.</para>
/// <para>An entry is the router's link-local source address, its MAC and its VLAN. It lives for
/// the advertised router lifetime, and at least 30 minutes (the longest MaxRtrAdvInterval, RFC
/// 4861 6.2.1), after the last advertisement, so a live router always refreshes it. The table is
/// a small fixed array scanned linearly: segments have a few routers, and the scan runs only for
/// a solicitation the tables could answer.</para>
/// <para>Single writer: only the forwarding loop calls <see cref="Learn"/> and <see cref="IsRouter"/>.
/// A new router takes an expired entry's place, or when full the entry that expires first.</para>
/// </remarks>
public sealed class LearnedRouters
{
    public const int Capacity = 32;
    private const long MinimumLifetimeNanoseconds = 1800L * 1_000_000_000;

    private readonly ushort[] _vlan = new ushort[Capacity];
    private readonly ulong[] _mac = new ulong[Capacity];
    private readonly UInt128[] _address = new UInt128[Capacity];
    private readonly long[] _expires = new long[Capacity];
    private int _count;

    /// <summary>Routers currently held (expired ones included until they are replaced).</summary>
    public int Count => _count;

    /// <summary>Records (or refreshes) a router seen advertising on <paramref name="vlan"/> at <paramref name="now"/>.</summary>
    public void Learn(ushort vlan, ReadOnlySpan<byte> address, ulong mac, uint lifetimeSeconds, long now)
    {
        UInt128 key = Key(address);
        long expires = now + Math.Max(lifetimeSeconds * 1_000_000_000L, MinimumLifetimeNanoseconds);
        int slot = -1;
        for (int i = 0; i < _count; i++)
        {
            if (_vlan[i] == vlan && _address[i] == key)
            {
                slot = i;
                break;
            }
        }
        if (slot < 0) slot = ExpiringSlots.ForNew(_expires, ref _count, now);
        _vlan[slot] = vlan;
        _address[slot] = key;
        _mac[slot] = mac;
        _expires[slot] = expires;
    }

    /// <summary>True when <paramref name="address"/> on <paramref name="vlan"/> belongs to a live router:
    /// it is a router's advertised address, or <paramref name="owner"/> (its MAC in the tables) is a router's MAC.</summary>
    public bool IsRouter(ushort vlan, ReadOnlySpan<byte> address, ulong owner, long now)
    {
        if (_count == 0) return false;
        UInt128 key = Key(address);
        for (int i = 0; i < _count; i++)
        {
            if (_vlan[i] == vlan && _expires[i] > now && (_address[i] == key || _mac[i] == owner)) return true;
        }
        return false;
    }

    private static UInt128 Key(ReadOnlySpan<byte> address) => System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(address);
}
