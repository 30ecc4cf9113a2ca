namespace VSwitch.Daemon.Ports;

/// <summary>A port backed by a file descriptor that poll(2) reports readable when frames wait.</summary>
/// <remarks>The idle waiter sleeps in poll on these, so an idle switch wakes the moment a frame arrives.
/// A port whose peer must be told to signal (a memif ring's MASK_INT flag) hears of the sleep
/// through <see cref="PrepareToSleep"/> and <see cref="Woke"/>; the kernel-backed ports need neither.</remarks>
public interface IPollablePort
{
    int FileDescriptor { get; }

    /// <summary>Called on the loop's thread just before it sleeps in poll: ask for wake-ups now.</summary>
    /// <returns>False when frames arrived meanwhile (the loop polls again instead of sleeping).</returns>
    bool PrepareToSleep() => true;

    /// <summary>Called on the loop's thread after the sleep, whatever ended it: back to polling.</summary>
    void Woke()
    {
    }
}
