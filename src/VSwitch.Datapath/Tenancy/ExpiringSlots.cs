namespace VSwitch.Datapath.Tenancy;

/// <summary>Slot choice for the small fixed tables of learned state (<see cref="LearnedRouters"/>,
/// <see cref="DeclinedLeases"/>): entries that expire, in arrays scanned linearly.</summary>
internal static class ExpiringSlots
{
    /// <summary>Where a new entry goes: the first expired slot, else a new one while there is room
    /// (<paramref name="count"/> grows), else the slot that expires first.</summary>
    public static int ForNew(ReadOnlySpan<long> expires, ref int count, long now)
    {
        for (int i = 0; i < count; i++)
        {
            if (expires[i] <= now) return i;
        }
        if (count < expires.Length) return count++;
        int soonest = 0;
        for (int i = 1; i < count; i++)
        {
            if (expires[i] < expires[soonest]) soonest = i;
        }
        return soonest;
    }
}
