using System.Collections.Concurrent;

namespace VSwitch.Datapath.Tables;

// The one way from table files on disk to a snapshot: the daemon's TableStore, the capture
// replay, the fuzz targets, the benchmarks and the tests all load through here. The hosts file
// is streamed line by line into the builder (never held whole, as text or as records); the
// ethers file, which the daemon also edits line by line, is read whole, within the same bounds.

/// <summary>What <see cref="TableFiles.Load"/> read: the snapshot, or every error.</summary>
/// <param name="Tables">The snapshot; null when any file had an error, unless bad lines were to be skipped.</param>
/// <param name="Errors">Every error, as <c>file:line: reason</c>: the bad lines left out of <paramref name="Tables"/> when
/// they were skipped, otherwise the reasons it is null.</param>
/// <param name="HostsLines">Lines of the hosts file that held an entry.</param>
/// <param name="EthersText">The ethers file as read (empty without one).</param>
/// <param name="Ethers">The ethers file's entries, in file order.</param>
public sealed record TableFileLoad(PeepholeTables? Tables, IReadOnlyList<TableError> Errors, int HostsLines,
    string EthersText, IReadOnlyList<EthersEntry> Ethers);

/// <summary>Loads a table snapshot from a hosts file and an ethers file.</summary>
public static class TableFiles
{
    // Above this, reading and checking the hosts lines runs on a thread of its own while this one
    // adds them to the builder: the two take about the same time, and start-up waits for both.
    private const long PipelineBytes = 1 << 20;
    private const int BatchLines = 4096;

    /// <summary>Reads and checks both files and builds a snapshot.</summary>
    /// <returns>The snapshot, or null with every error (file, line, reason) when either file has any:
    /// a table with errors is never put in service.</returns>
    public static PeepholeTables? Load(string? hostsPath, string? ethersPath, DnsSettings settings, out IReadOnlyList<TableError> errors)
    {
        TableFileLoad load = Read(hostsPath, ethersPath, settings);
        errors = load.Errors;
        return load.Tables;
    }

    /// <summary>Reads and checks both files and builds a snapshot, keeping the ethers text and entries for edits.</summary>
    /// <param name="hostsPath">The hosts file, or null for none.</param>
    /// <param name="ethersPath">The ethers file, or null for none.</param>
    /// <param name="settings">DNS settings the snapshot answers with.</param>
    /// <param name="skipBadLines">Build from the good lines even when some are bad (each still reported in
    /// <see cref="TableFileLoad.Errors"/>); by default a table with any bad line is not built.</param>
    public static TableFileLoad Read(string? hostsPath, string? ethersPath, DnsSettings settings, bool skipBadLines = false)
    {
        var errors = new List<TableError>();
        // Sized once from the file (a hosts line is some 30 bytes), not grown by doubling.
        long hostsBytes = hostsPath is not null && new FileInfo(hostsPath) is { Exists: true } info ? info.Length : 0;
        var builder = new TableBuilder(ethersPath ?? "", (int)Math.Min(hostsBytes / 32, 16_000_000));
        int hostsLines = hostsPath is null ? 0
            : hostsBytes < PipelineBytes ? HostsFileReader.Stream(hostsPath, builder.AddHost, errors)
            : StreamAlongside(hostsPath, builder, errors);
        string ethersText = "";
        IReadOnlyList<EthersEntry> ethers = [];
        if (ethersPath is not null)
        {
            if (Files.BoundedFile.TryReadAllText(ethersPath, out ethersText, out string reason))
            {
                TableParse<EthersEntry> parse = EthersFileReader.Parse(ethersPath, ethersText);
                errors.AddRange(parse.Errors);
                ethers = parse.Entries;
            }
            else
            {
                errors.Add(new TableError(ethersPath, 0, reason));
            }
        }
        if (errors.Count > 0 && !skipBadLines) return new TableFileLoad(null, errors, hostsLines, ethersText, ethers);
        // An ethers line naming a host the hosts table lacks is bad too: the builder leaves it out.
        foreach (EthersEntry e in ethers) builder.AddEthers(e);
        if (builder.Errors.Count > 0 && !skipBadLines) return new TableFileLoad(null, builder.Errors, hostsLines, ethersText, ethers);
        errors.AddRange(builder.Errors);
        if (builder.Errors.Count > 0)
        {
            HashSet<int> skipped = [.. builder.Errors.Select(b => b.Line)];
            ethers = [.. ethers.Where(e => !skipped.Contains(e.Line))];
        }
        return new TableFileLoad(builder.Build(settings), errors, hostsLines, ethersText, ethers);
    }

    // The hosts file read on another thread and handed over in batches, in file order (a bounded
    // queue keeps the reader at most a few batches ahead); the builder stays on this thread.
    private static int StreamAlongside(string hostsPath, TableBuilder builder, List<TableError> errors)
    {
        using var batches = new BlockingCollection<HostsEntry[]>(boundedCapacity: 8);
        using var stop = new CancellationTokenSource();
        var readerErrors = new List<TableError>();
        Task<int> reader = Task.Factory.StartNew(() =>
        {
            try
            {
                var batch = new List<HostsEntry>(BatchLines);
                int lines = HostsFileReader.Stream(hostsPath, e =>
                {
                    batch.Add(e);
                    if (batch.Count < BatchLines) return;
                    batches.Add([.. batch], stop.Token);
                    batch.Clear();
                }, readerErrors);
                if (batch.Count > 0) batches.Add([.. batch], stop.Token);
                return lines;
            }
            finally
            {
                batches.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (HostsEntry[] batch in batches.GetConsumingEnumerable())
            {
                foreach (HostsEntry entry in batch) builder.AddHost(entry);
            }
        }
        catch
        {
            // The builder failed: release a reader blocked on the full queue before leaving.
            stop.Cancel();
            try
            {
                reader.Wait();
            }
            catch (AggregateException)
            {
                // Its cancellation, or its own failure: the builder's is the one reported.
            }
            throw;
        }
        int count = reader.GetAwaiter().GetResult();
        errors.AddRange(readerErrors);
        return count;
    }
}
