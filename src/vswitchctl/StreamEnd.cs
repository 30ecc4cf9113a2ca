using System.Runtime.InteropServices;
using VSwitch.Daemon.Control;

namespace VSwitch.Ctl;

/// <summary>How a person ends a streaming command (capture, trace --live): Ctrl-C or SIGTERM, or the
/// caller's cancellation, closes the sending side of the connection, the daemon's cue to finish the
/// stream and close; vswitchctl reads on until then instead of dying mid-block.</summary>
internal sealed class StreamEnd : IDisposable
{
    private readonly PosixSignalRegistration _interrupt, _terminate;
    private readonly CancellationTokenRegistration _cancel;

    public StreamEnd(ControlClient client, CancellationToken cancel)
    {
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            client.EndSending();
        }
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        _cancel = cancel.Register(client.EndSending);
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancel.Dispose();
    }
}
