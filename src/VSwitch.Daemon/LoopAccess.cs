using VSwitch.Datapath.Pipeline;

namespace VSwitch.Daemon;

/// <summary>How the control plane reaches the forwarding loop's state: on the loop's thread, between two rounds.</summary>
/// <remarks>While the loop thread runs, work goes through <see cref="ForwardingLoop.Invoke{T}"/> and is
/// awaited with a time-out, so a wedged loop makes a command fail rather than hang. Before the
/// thread starts and after it has stopped, nothing else touches the loop, so work runs inline on
/// the caller's thread (start-up attaches ports this way, and a replay never starts a thread).</remarks>
internal sealed class LoopAccess(ForwardingLoop loop, TimeSpan timeout)
{
    private volatile bool _threaded;

    public ForwardingLoop Loop => loop;

    /// <summary>The loop thread is running: from now on work is queued to it.</summary>
    public void ThreadStarted() => _threaded = true;

    /// <summary>The loop thread has been joined: work runs inline again.</summary>
    public void ThreadStopped() => _threaded = false;

    /// <summary>Runs <paramref name="work"/> where the loop's state may be touched and returns its result.</summary>
    /// <exception cref="TimeoutException">The loop did not run the work in time.</exception>
    public async Task<T> RunAsync<T>(Func<ForwardingLoop, T> work, CancellationToken cancel)
    {
        if (!_threaded) return work(loop);
        try
        {
            return await loop.Invoke(work).WaitAsync(timeout, cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the forwarding loop did not answer within {timeout.TotalSeconds:0} s");
        }
    }
}
