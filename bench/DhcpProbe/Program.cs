// DhcpProbe: a raw-socket DHCP client that times DISCOVER-to-ACK, for bench/e2e/dhcp.sh.
//
// Run as root inside a client's network namespace. Each "kind" is a label and a base MAC; a
// kind's clients are that MAC plus 0..macs-1, so one kind can be MACs the switch's ethers table
// knows (answered by its responder) and another MACs it does not (forwarded to a real server).
//
//   latency: one exchange at a time (DISCOVER, OFFER, REQUEST, ACK), the kinds interleaved
//            round by round with the starting kind rotated, so both see the same conditions;
//            prints min, median, p90, p99 and max of DISCOVER sent to ACK received.
//   rate:    keeps a window of exchanges in flight for one kind and counts ACKs per second.
//
// Timestamps are Stopwatch ticks taken next to send() and recv(); what is measured includes the
// probe's own socket path, which is the same for every kind.
using System.Diagnostics;
using System.Globalization;
using DhcpProbe;

var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("""
        usage: DhcpProbe latency --if IF --leases N [--warmup K] [--macs M] [--timeout-ms T] --kind LABEL=MAC [--kind LABEL=MAC]...
               DhcpProbe rate    --if IF --kind LABEL=MAC [--macs M] [--window W] [--seconds S] [--timeout-ms T]
        """);
    return 2;
}
using var socket = new PacketSocket(options.Interface);
var probe = new Probe(socket, options);
return options.Mode == "latency" ? probe.Latency() : probe.Rate();

internal sealed record Options(string Mode, string Interface, List<(string Label, ulong Mac)> Kinds, int Leases, int Warmup, int Macs,
    int Window, double Seconds, int TimeoutMilliseconds)
{
    public static Options? Parse(string[] args)
    {
        if (args.Length < 1 || args[0] is not ("latency" or "rate")) return null;
        string iface = "eth0";
        var kinds = new List<(string, ulong)>();
        int leases = 200, warmup = 20, macs = 200, window = 32, timeout = 2000;
        double seconds = 5;
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            string v = args[i + 1];
            switch (args[i])
            {
                case "--if": iface = v; break;
                case "--leases": leases = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--macs": macs = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--window": window = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--timeout-ms": timeout = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "--kind":
                    int eq = v.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0) return null;
                    kinds.Add((v[..eq], DhcpFrames.ParseMac(v[(eq + 1)..])));
                    break;
                default: return null;
            }
        }
        // A MAC must not be in flight twice: a server would see one client with two transactions.
        if (kinds.Count == 0 || window is < 1 or > 4096 || window > macs || macs < 1) return null;
        return new Options(args[0], iface, kinds, leases, warmup, macs, window, seconds, timeout);
    }
}

internal sealed class Probe(PacketSocket socket, Options options)
{
    private readonly byte[] _tx = new byte[DhcpFrames.FrameLength], _rx = new byte[4096];
    private uint _xid = (uint)Random.Shared.Next();

    /// <summary>Interleaved single exchanges; one line per kind.</summary>
    public int Latency()
    {
        int k = options.Kinds.Count;
        var times = new List<double>[k];
        var lost = new int[k];
        for (int j = 0; j < k; j++) times[j] = [];
        for (int round = 0; round < options.Warmup + options.Leases; round++)
        {
            for (int step = 0; step < k; step++)
            {
                int j = (round + step) % k;
                ulong mac = options.Kinds[j].Mac + (ulong)(round % options.Macs);
                double us = Exchange(mac);
                if (round < options.Warmup) continue;
                if (us < 0) lost[j]++;
                else times[j].Add(us);
            }
        }
        Console.WriteLine($"# DISCOVER sent to ACK received, microseconds; {options.Leases} leases per kind after {options.Warmup} warm-up, interleaved");
        Console.WriteLine($"{"kind",-10} {"leases",7} {"lost",5} {"min",9} {"median",9} {"p90",9} {"p99",9} {"max",9}");
        for (int j = 0; j < k; j++)
        {
            List<double> t = times[j];
            t.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{options.Kinds[j].Label,-10} {t.Count,7} {lost[j],5} {At(t, 0),9:F1} {Percentile(t, 50),9:F1} {Percentile(t, 90),9:F1} {Percentile(t, 99),9:F1} {At(t, t.Count - 1),9:F1}"));
        }
        return lost.Sum() == 0 ? 0 : 1;
    }

    /// <summary>One DISCOVER/OFFER/REQUEST/ACK for <paramref name="mac"/>: microseconds from DISCOVER to ACK, or -1.</summary>
    private double Exchange(ulong mac)
    {
        uint xid = ++_xid;
        long start = Stopwatch.GetTimestamp();
        socket.Send(DhcpFrames.Write(_tx, DhcpFrames.Discover, mac, xid));
        if (Await(xid, start) is not { Type: DhcpFrames.Offer } offer) return -1;
        socket.Send(DhcpFrames.Write(_tx, DhcpFrames.Request, mac, xid, offer.YourAddress, offer.ServerId));
        if (Await(xid, start) is not { Type: DhcpFrames.Ack }) return -1;
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private DhcpReply? Await(uint xid, long start)
    {
        while (true)
        {
            int remaining = options.TimeoutMilliseconds - (int)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (remaining <= 0) return null;
            int n = socket.Receive(_rx, remaining);
            if (n > 0 && DhcpFrames.TryReadReply(_rx.AsSpan(0, n), out DhcpReply r) && r.TransactionId == xid) return r;
        }
    }

    /// <summary>A window of exchanges in flight for the first kind; leases per second after one second of warm-up.</summary>
    public int Rate()
    {
        (string label, ulong baseMac) = options.Kinds[0];
        int w = options.Window;
        var mac = new ulong[w];
        var xid = new uint[w];
        var phase = new byte[w];   // 1: DISCOVER sent, 2: REQUEST sent
        var started = new long[w];
        int nextMac = 0;
        long acked = 0, lost = 0, naked = 0;
        var latencies = new List<double>();
        long timeoutTicks = options.TimeoutMilliseconds * Stopwatch.Frequency / 1000;

        void Start(int slot)
        {
            mac[slot] = baseMac + (ulong)(nextMac++ % options.Macs);
            // The slot is in the transaction id's low 12 bits, so a reply finds its exchange at once.
            xid[slot] = (++_xid << 12) | (uint)slot;
            phase[slot] = 1;
            started[slot] = Stopwatch.GetTimestamp();
            socket.Send(DhcpFrames.Write(_tx, DhcpFrames.Discover, mac[slot], xid[slot]));
        }

        for (int s = 0; s < w; s++) Start(s);
        long warmEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        long end = warmEnd + (long)(options.Seconds * Stopwatch.Frequency);
        long measureStart = 0, nextScan = 0;
        bool measuring = false;
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= end) break;
            if (!measuring && now >= warmEnd)
            {
                (measuring, measureStart, acked, lost, naked) = (true, now, 0, 0, 0);
                latencies.Clear();
            }
            if (now >= nextScan)
            {
                for (int s = 0; s < w; s++)
                {
                    if (now - started[s] <= timeoutTicks) continue;
                    lost++;
                    Start(s);
                }
                nextScan = now + Stopwatch.Frequency / 20;
            }
            int n = socket.Receive(_rx, 1);
            if (n == 0 || !DhcpFrames.TryReadReply(_rx.AsSpan(0, n), out DhcpReply r)) continue;
            int slot = (int)(r.TransactionId & 0xFFF);
            if (slot >= w || r.TransactionId != xid[slot]) continue;
            if (phase[slot] == 1 && r.Type == DhcpFrames.Offer)
            {
                phase[slot] = 2;
                socket.Send(DhcpFrames.Write(_tx, DhcpFrames.Request, mac[slot], xid[slot], r.YourAddress, r.ServerId));
            }
            else if (phase[slot] == 2 && r.Type is DhcpFrames.Ack or DhcpFrames.Nak)
            {
                if (r.Type == DhcpFrames.Ack)
                {
                    acked++;
                    latencies.Add(Stopwatch.GetElapsedTime(started[slot]).TotalMicroseconds);
                }
                else
                {
                    naked++;
                }
                Start(slot);
            }
        }
        double seconds = Stopwatch.GetElapsedTime(measureStart).TotalSeconds;
        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-10} leases/s {acked / seconds,9:F0}   acked {acked} in {seconds:F1} s, window {w}, lost {lost}, nak {naked}, DISCOVER-to-ACK under load median {Percentile(latencies, 50):F1} us p99 {Percentile(latencies, 99):F1} us"));
        return acked > 0 ? 0 : 1;
    }

    // Nearest rank.
    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static double At(List<double> sorted, int i) => sorted.Count == 0 ? double.NaN : sorted[i];
}
