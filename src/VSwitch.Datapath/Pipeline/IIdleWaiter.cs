namespace VSwitch.Datapath.Pipeline;

/// <summary>How the loop sleeps once spinning and yielding found nothing: until a port has frames,
/// work is handed to the loop, or the timeout passes.</summary>
/// <remarks>The datapath has no system calls of its own; the daemon supplies a waiter that polls
/// the ports' descriptors. Without one, the loop sleeps for the idle policy's interval.</remarks>
public interface IIdleWaiter
{
    /// <summary>Called on the loop's thread, which owns the port table.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "The loop it waits for; no VB implementer exists.")]
    void Wait(ForwardingLoop loop, TimeSpan timeout);

    /// <summary>Ends a <see cref="Wait"/> early; callable from any thread.</summary>
    void Wake();
}
