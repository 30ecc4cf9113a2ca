using System.Diagnostics;
using VSwitch.Memif.Control;
using VSwitch.Memif.Protocol;
using VSwitch.Memif.Session;
using VSwitch.Linux;

namespace VSwitch.Memif.Client;

/// <summary>
/// The client library: attaches an application to a memif port (of VSwitch, or of any memif 2.0
/// server) and moves Ethernet frames in bursts, with no system call per frame.
/// </summary>
/// <remarks>
/// <para>The client creates the shared memory: one sealed memfd holding a C2S and an S2C ring of
/// 2^log2 slots and their buffers. <see cref="Connect"/> blocks until the server answered CONNECTED
/// (or the timeout); after that every call is non-blocking.</para>
/// <para>Frames are copied: <see cref="Send(ReadOnlySpan{byte}, ReadOnlySpan{int})"/> takes frames
/// packed back to back with their lengths, <see cref="Receive(Span{byte}, Span{int})"/> returns them
/// the same way. Neither allocates. The rings are polled (MASK_INT set), so the server never
/// writes our eventfd; <see cref="Receive(TimeSpan)"/> polls with short sleeps for callers that want to
/// wait.</para>
/// <para>Not thread-safe: one thread sends and receives (a second thread may only call
/// <see cref="Dispose"/> after the first stopped).</para>
/// </remarks>
public sealed unsafe class MemifClient : IDisposable
{
    private readonly MemifConnection _connection;
    private readonly byte[] _control = new byte[MemifConstants.MessageSize];
    private int _controlCheck;

    private MemifClient(MemifConnection connection) => _connection = connection;

    /// <summary>The server's name (from its HELLO).</summary>
    public string PeerName => _connection.PeerName;

    public int RingSize => _connection.Rx.Size;

    public uint BufferSize => _connection.BufferSize;

    /// <summary>False once the server disconnected (or sent a DISCONNECT); checked every 1024 calls and by <see cref="CheckControl"/>.</summary>
    public bool IsConnected { get; private set; } = true;

    /// <summary>Why the server ended the link, once <see cref="IsConnected"/> is false.</summary>
    public string? DisconnectReason { get; private set; }

    /// <summary>True while the server's receive ring asks for interrupts (MASK_INT clear): it is idle,
    /// asleep in poll, and our sends write its eventfd to wake it.</summary>
    public bool PeerWantsInterrupts => (_connection.Tx.Ring.Flags & MemifConstants.RingFlagMaskInterrupt) == 0;

    /// <summary>Frames dropped on receive because the server's descriptors were bad.</summary>
    public long BadDescriptors => _connection.Rx.BadDescriptors;

    /// <summary>Connects to the server at <paramref name="socketPath"/> (<c>@name</c>: abstract) and
    /// runs the handshake for interface <paramref name="id"/>.</summary>
    /// <exception cref="IOException">No server, a refused handshake (the server's reason is in the message), or the timeout.</exception>
    public static MemifClient Connect(string socketPath, uint id = 0, string name = "vswitch-client", string? secret = null,
        int log2RingSize = 10, uint bufferSize = 2048, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(log2RingSize, MemifConstants.MinLog2RingSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(log2RingSize, MemifConstants.MaxLog2RingSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 128u);
        ControlChannel channel = ControlChannel.TryConnect(socketPath, out string? error)
            ?? throw new IOException(error);
        var handshake = new ClientHandshake(channel, id, name, secret, log2RingSize, bufferSize);
        long deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? TimeSpan.FromSeconds(5)).TotalSeconds * Stopwatch.Frequency);
        Span<byte> message = stackalloc byte[MemifConstants.MessageSize];
        while (true)
        {
            ReceiveStatus status = channel.TryReceive(message, out int fd);
            if (status == ReceiveStatus.WouldBlock)
            {
                long left = (deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                if (left <= 0)
                {
                    handshake.Dispose();
                    throw new IOException($"memif handshake with {socketPath} timed out");
                }
                var pfd = new PollFd { Fd = channel.Fd, Events = LibC.POLLIN };
                LibC.Poll(&pfd, 1, (int)Math.Min(left, 100));
                continue;
            }
            if (status != ReceiveStatus.Message || !MemifMessage.TryRead(message, out MemifMessage m))
            {
                if (fd >= 0) LibC.Close(fd);
                handshake.Dispose();
                throw new IOException($"memif server at {socketPath} closed the connection or sent a malformed message");
            }
            switch (handshake.Handle(m, fd))
            {
                case HandshakeStatus.Connected:
                    return new MemifClient(handshake.Connection!);
                case HandshakeStatus.Failed:
                    throw new IOException($"memif handshake with {socketPath}: {handshake.Error}");
            }
        }
    }

    /// <summary>Sends frames packed back to back in <paramref name="frames"/>, <paramref name="lengths"/> giving each one's size.</summary>
    /// <returns>How many were sent, from the first on; the rest did not fit in the ring now.</returns>
    public int Send(ReadOnlySpan<byte> frames, ReadOnlySpan<int> lengths)
    {
        if (!Tick()) return 0;
        var tx = _connection.Tx;
        tx.BeginTransmit();
        int sent = 0, offset = 0;
        fixed (byte* p = frames)
        {
            foreach (int length in lengths)
            {
                if ((uint)length > (uint)(frames.Length - offset)) throw new ArgumentException("lengths run past the frames", nameof(lengths));
                if (!tx.WriteFrame(p + offset, length)) break;
                offset += length;
                sent++;
            }
        }
        tx.EndTransmit(sent > 0);
        return sent;
    }

    /// <summary>Sends one frame; false when the ring is full.</summary>
    public bool Send(ReadOnlySpan<byte> frame)
    {
        Span<int> length = [frame.Length];
        return Send(frame, length) == 1;
    }

    /// <summary>Sends the same frame <paramref name="count"/> times in one burst (load generators).</summary>
    public int SendRepeated(ReadOnlySpan<byte> frame, int count)
    {
        if (!Tick()) return 0;
        var tx = _connection.Tx;
        tx.BeginTransmit();
        int sent = 0;
        fixed (byte* p = frame)
        {
            while (sent < count && tx.WriteFrame(p, frame.Length)) sent++;
        }
        tx.EndTransmit(sent > 0);
        return sent;
    }

    /// <summary>Receives frames into <paramref name="buffer"/>, back to back, their lengths into <paramref name="lengths"/>.</summary>
    /// <returns>How many frames; 0 when none are waiting.</returns>
    public int Receive(Span<byte> buffer, Span<int> lengths)
    {
        if (!Tick()) return 0;
        var rx = _connection.Rx;
        rx.BeginReceive();
        int count = 0, used = 0;
        fixed (byte* p = buffer)
        {
            while (count < lengths.Length)
            {
                int n = rx.ReadFrame(p + used, buffer.Length - used, keepIfTooLong: used > 0);
                if (n == -1 || n == -3) break;
                if (n < 0) continue;
                lengths[count++] = n;
                used += n;
            }
        }
        rx.EndReceive();
        return count;
    }

    /// <summary>Receives one frame, waiting up to <paramref name="timeout"/>; null when none came (tests, tools).</summary>
    public byte[]? Receive(TimeSpan timeout)
    {
        var buffer = new byte[65536 + 128];
        Span<int> length = stackalloc int[1];
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        do
        {
            if (Receive(buffer, length) == 1) return buffer[..length[0]];
            Thread.Sleep(1);
        }
        while (Stopwatch.GetTimestamp() < deadline && IsConnected);
        return null;
    }

    /// <summary>Reads pending control messages: notices a DISCONNECT or the socket closing.</summary>
    public bool CheckControl()
    {
        if (!IsConnected) return false;
        while (true)
        {
            ReceiveStatus status = _connection.Channel.TryReceive(_control, out int fd);
            if (fd >= 0) LibC.Close(fd);
            if (status == ReceiveStatus.WouldBlock) return true;
            IsConnected = false;
            DisconnectReason = status == ReceiveStatus.Message && MemifMessage.TryRead(_control, out MemifMessage m) && m.Type == MemifMessageType.Disconnect
                ? m.DisconnectText
                : "control connection closed";
            return false;
        }
    }

    // The control socket is looked at once every 1024 calls: one recvmsg amortised over many bursts.
    private bool Tick() => IsConnected && ((++_controlCheck & 1023) != 0 || CheckControl());

    public void Dispose() => _connection.Disconnect("client closed");
}
