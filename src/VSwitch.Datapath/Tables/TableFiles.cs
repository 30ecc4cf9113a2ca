namespace VSwitch.Datapath.Tables;

/// <summary>Loads a table snapshot from a hosts file and an ethers file.</summary>
public static class TableFiles
{
    /// <summary>Reads and checks both files and builds a snapshot.</summary>
    /// <returns>The snapshot, or null with every error (file, line, reason) when either file has any:
    /// a table with errors is never put in service.</returns>
    public static PeepholeTables? Load(string? hostsPath, string? ethersPath, DnsSettings settings, out IReadOnlyList<TableError> errors)
    {
        var all = new List<TableError>();
        TableParse<HostsEntry> hosts = hostsPath is null ? new([], []) : HostsFileReader.Load(hostsPath);
        TableParse<EthersEntry> ethers = ethersPath is null ? new([], []) : EthersFileReader.Load(ethersPath);
        all.AddRange(hosts.Errors);
        all.AddRange(ethers.Errors);
        PeepholeTables? tables = null;
        if (all.Count == 0)
        {
            tables = PeepholeTables.Build(hosts.Entries, ethers.Entries, settings, ethersPath ?? "", out List<TableError> buildErrors);
            all.AddRange(buildErrors);
            if (buildErrors.Count > 0) tables = null;
        }
        errors = all;
        return tables;
    }
}
