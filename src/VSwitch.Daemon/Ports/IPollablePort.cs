namespace VSwitch.Daemon.Ports;

/// <summary>A port backed by a file descriptor that poll(2) reports readable when frames wait.</summary>
/// <remarks>The idle waiter sleeps in poll on these, so an idle switch wakes the moment a frame arrives.</remarks>
public interface IPollablePort
{
    int FileDescriptor { get; }
}
