namespace VSwitch.Datapath.Tenancy;

/// <summary>
/// Addresses one tenant's clients declined (DHCPDECLINE, RFC 2131 4.4.1): the DHCP responder does
/// not offer such an address to that client again until a back-off has passed.
/// </summary>
/// <remarks>
/// <para>Why: a client that finds its table address in use by another host declines it and starts
/// over. Offered the same address at once, it would decline again, and again, every ten seconds or
/// so, for as long as the other host holds it. dnsmasq holds a declined address back for ten
/// minutes; so does the switch (<see cref="BackOffNanoseconds"/>). During the back-off the
/// client's DISCOVERs and REQUESTs are forwarded, so a real server on the segment may still serve it.</para>
/// <para>A small fixed array scanned linearly, written and read by the forwarding loop only; a new
/// decline takes an expired entry's place, or when full the entry that expires first. The scan runs only for DHCP messages
/// from clients the tables know.</para>
/// </remarks>
public sealed class DeclinedLeases
{
    public const int Capacity = 256;
    public const long BackOffNanoseconds = 600L * 1_000_000_000;

    private readonly ulong[] _mac = new ulong[Capacity];
    private readonly uint[] _address = new uint[Capacity];
    private readonly long[] _until = new long[Capacity];
    private int _count;

    /// <summary>Declines held (expired ones included until they are replaced).</summary>
    public int Count => _count;

    /// <summary>A copy to answer from without touching this one: a trace's dry run of a DHCPDECLINE.</summary>
    public DeclinedLeases Copy()
    {
        var copy = new DeclinedLeases { _count = _count };
        _mac.CopyTo(copy._mac, 0);
        _address.CopyTo(copy._address, 0);
        _until.CopyTo(copy._until, 0);
        return copy;
    }

    /// <summary>Holds <paramref name="address"/> back from <paramref name="mac"/> for the back-off from <paramref name="now"/>.</summary>
    public void Add(ulong mac, uint address, long now)
    {
        int slot = Find(mac, address);
        if (slot < 0) slot = ExpiringSlots.ForNew(_until, ref _count, now);
        _mac[slot] = mac;
        _address[slot] = address;
        _until[slot] = now + BackOffNanoseconds;
    }

    /// <summary>True while <paramref name="mac"/>'s decline of <paramref name="address"/> is in its back-off.</summary>
    public bool IsHeldBack(ulong mac, uint address, long now)
    {
        if (_count == 0) return false;
        int slot = Find(mac, address);
        return slot >= 0 && _until[slot] > now;
    }

    private int Find(ulong mac, uint address)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_mac[i] == mac && _address[i] == address) return i;
        }
        return -1;
    }
}
