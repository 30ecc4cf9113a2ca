namespace VSwitch.Daemon.Claims;

/// <summary>
/// The claim one vswitchd holds on its control socket: a <see cref="LockFile"/> at
/// <c>SOCKET.lock</c>, taken before any port is opened, so that a second daemon for the same
/// switch refuses at once instead of opening ports beside the first.
/// </summary>
public static class InstanceLock
{
    /// <summary>Takes the lock beside <paramref name="controlPath"/>.</summary>
    /// <exception cref="IOException">Another vswitchd holds it (the message names its process id), or the file cannot be opened.</exception>
    public static LockFile Acquire(string controlPath)
    {
        string path = Path.GetFullPath(controlPath) + ".lock";
        return LockFile.TryAcquire(path, out int holder)
            ?? throw new IOException($"{path}: another vswitchd{LockFile.Describe(holder)} holds this control socket ({controlPath}); stop it first");
    }
}
