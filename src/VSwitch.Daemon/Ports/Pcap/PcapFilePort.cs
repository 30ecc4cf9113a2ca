using SharpPcap;
using SharpPcap.LibPcap;
using VSwitch.Datapath.Buffers;
using VSwitch.Datapath.Pipeline;
using VSwitch.Datapath.Ports;

namespace VSwitch.Daemon.Ports.Pcap;

/// <summary>
/// A port that replays a capture file into the switch and records what the switch sends out of it.
/// </summary>
/// <remarks>
/// <para>Frames are handed over in capture order, each only once the clock has reached its
/// timestamp; with a <see cref="ManualClock"/> driven by <see cref="CaptureReplay"/> this makes a
/// replay deterministic and lets capture time drive MAC aging. Output frames are stamped with
/// that clock's time when they leave in a replay, and with the wall clock in a live switch (where
/// the loop's clock is monotonic, time since boot, which read as 1970).</para>
/// <para>Reading and writing go through SharpPcap (libpcap), so the files are standard pcap that
/// tcpdump and tshark read. This port copies each frame once on the way in and once on the way
/// out and libpcap allocates per frame: it is a test and tooling port, not a fast one.</para>
/// </remarks>
public sealed class PcapFilePort : IPort, ITimedSource
{
    private readonly FramePool _pool;
    private readonly IClock _clock;
    private readonly CaptureFileReaderDevice? _reader;
    private readonly CaptureFileWriterDevice? _writer;
    private readonly byte[] _pending;
    private int _pendingLength = -1;
    private long _pendingTimestamp;
    private bool _disposed;

    /// <param name="name">The port's name.</param>
    /// <param name="inputPath">Capture to replay into the switch, or null for a port that only records.</param>
    /// <param name="outputPath">Capture to write what leaves the port to, or null to discard it.</param>
    public PcapFilePort(string name, string? inputPath, string? outputPath, FramePool pool, IClock clock)
    {
        Name = name;
        _pool = pool;
        _clock = clock;
        _pending = new byte[pool.FrameCapacity];
        if (inputPath is not null)
        {
            _reader = new CaptureFileReaderDevice(inputPath);
            _reader.Open(new DeviceConfiguration());
            if (_reader.LinkType != PacketDotNet.LinkLayers.Ethernet)
                throw new InvalidDataException($"{inputPath}: link type {_reader.LinkType}, expected Ethernet.");
            ReadAhead();
        }
        if (outputPath is not null)
        {
            _writer = new CaptureFileWriterDevice(outputPath, FileMode.Create);
            _writer.Open(new DeviceConfiguration { LinkLayerType = PacketDotNet.LinkLayers.Ethernet, Snaplen = 262144 });
        }
    }

    public string Name { get; }

    public bool IsUp => !_disposed;

    /// <summary>Frames in the input capture too large for a pool slot, skipped.</summary>
    public long Oversize { get; private set; }

    public bool TryPeekTimestamp(out long nanoseconds)
    {
        nanoseconds = _pendingTimestamp;
        return _pendingLength >= 0;
    }

    public int Receive(Span<FrameDescriptor> burst)
    {
        int n = 0;
        long now = _clock.NowNanoseconds;
        while (n < burst.Length && _pendingLength >= 0 && _pendingTimestamp <= now && _pool.TryRent(out int slot))
        {
            _pending.AsSpan(0, _pendingLength).CopyTo(_pool.Slot(slot)[FramePool.Headroom..]);
            burst[n++] = new FrameDescriptor { Slot = slot, Offset = FramePool.Headroom, Length = _pendingLength };
            ReadAhead();
        }
        return n;
    }

    public int Transmit(ReadOnlySpan<FrameDescriptor> burst)
    {
        long now = Stamp();
        foreach (ref readonly FrameDescriptor d in burst)
        {
            if (_writer is not null && !_disposed)
            {
                ReadOnlySpan<byte> frame = _pool.Frame(d);
                var header = new PcapHeader((uint)(now / 1_000_000_000), (uint)(now % 1_000_000_000 / 1000),
                    (uint)frame.Length, (uint)frame.Length);
                _writer.Write(frame, ref header);
            }
            _pool.Return(d.Slot);
        }
        return _disposed ? 0 : burst.Length;
    }

    // A replay stamps the capture's own clock (the manual clock it drives), so its output is the same
    // on every run; a live switch stamps the wall clock, as tcpdump does.
    private long Stamp() => _clock is ManualClock
        ? _clock.NowNanoseconds
        : (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private void ReadAhead()
    {
        _pendingLength = -1;
        if (_reader is null) return;
        while (_reader.GetNextPacket(out PacketCapture capture) == GetPacketStatus.PacketRead)
        {
            ReadOnlySpan<byte> data = capture.Data;
            if (data.Length > _pending.Length)
            {
                Oversize++;
                continue;
            }
            data.CopyTo(_pending);
            _pendingLength = data.Length;
            PosixTimeval t = capture.Header.Timeval;
            _pendingTimestamp = (long)t.Seconds * 1_000_000_000 + (long)t.MicroSeconds * 1000;
            return;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _reader?.Close();
        _writer?.Close();
    }
}
