using System.Buffers.Binary;
using System.Net;
using VSwitch.Datapath.Frames;
using VSwitch.Datapath.Peephole.Dns;

namespace VSwitch.Datapath.Tables;

// Builds a snapshot from table lines as they stream in, hosts first, then ethers, so that a
// million-line file is never held as a million records: each line goes straight into the maps'
// final encodings (a NameRecord per name, the reverse lines per address, six MAC bytes per
// neighbour), and only those survive into the BlobMaps.

/// <summary>Accumulates hosts and ethers lines and builds the <see cref="PeepholeTables"/> they describe.</summary>
/// <param name="ethersFile">The ethers file's name, for errors about its lines.</param>
public sealed class TableBuilder(string ethersFile)
{
    private readonly Dictionary<byte[], byte[]> _names = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], byte[]> _reverse = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], byte[]> _neighbors = new(ByteArrayComparer.Instance);

    /// <summary>Ethers lines that name a host the hosts lines added so far do not have.</summary>
    public List<TableError> Errors { get; } = [];

    /// <summary>Adds one hosts line: each of its names resolves to its address; the address's
    /// reverse name is the canonical name of its first line.</summary>
    public void AddHost(HostsEntry h)
    {
        byte[] address = h.Address.GetAddressBytes();
        var line = new List<byte[]>(1 + h.Aliases.Count);
        AddName(h.CanonicalName, address, line);
        foreach (string alias in h.Aliases) AddName(alias, address, line);
        _reverse[address] = _reverse.TryGetValue(address, out byte[]? lines) ? ReverseLines.Append(lines, line) : ReverseLines.Append([], line);
    }

    /// <summary>Adds one ethers line; a host name stands for every address the hosts lines give it.</summary>
    /// <remarks>A later line for the same address wins, as in the file.</remarks>
    public void AddEthers(EthersEntry e)
    {
        var mac = new byte[6];
        MacAddress.Write(mac, e.Mac);
        if (e.Address is not null)
        {
            _neighbors[e.Address.GetAddressBytes()] = mac;
            return;
        }
        if (!_names.TryGetValue(DnsName.KeyFromText(e.HostName!), out byte[]? value))
        {
            Errors.Add(new TableError(ethersFile, e.Line, $"host name '{e.HostName}' is not in the hosts table"));
            return;
        }
        var record = new NameRecord(value);
        for (int i = 0; i < record.IPv4Count; i++) _neighbors[PeepholeTables.BigEndian(record.IPv4(i))] = mac;
        for (int i = 0; i < record.IPv6Count; i++) _neighbors[record.IPv6(i).ToArray()] = mac;
    }

    /// <summary>The snapshot of every line added, answering with <paramref name="settings"/>.</summary>
    public PeepholeTables Build(DnsSettings settings)
    {
        byte[][] zones = settings.Zones.Select(DnsName.KeyFromText).ToArray();
        foreach (byte[] address in _reverse.Keys) PeepholeTables.AddReverseName(_names, zones, address);
        PeepholeTables.AddEmptyNonTerminals(_names, zones);
        return PeepholeTables.FromMaps(BlobMap.Build(_names), BlobMap.Build(_reverse), BlobMap.Build(_neighbors),
            BlobMap.Build(PeepholeTables.LeasesOf(_neighbors)), settings);
    }

    private void AddName(string name, byte[] address, List<byte[]> line)
    {
        line.Add(DnsName.FromText(name));
        byte[] key = DnsName.KeyFromText(name);
        if (!_names.TryGetValue(key, out byte[]? old))
        {
            // Most names have one address: encode it directly, with no list in between.
            _names[key] = address.Length == 4
                ? NameRecord.Encode(0, [BinaryPrimitives.ReadUInt32BigEndian(address)], [])
                : NameRecord.Encode(0, [], [address]);
            return;
        }
        var record = new NameRecord(old);
        var rec = (V4: new List<uint>(), V6: new List<byte[]>());
        for (int i = 0; i < record.IPv4Count; i++) rec.V4.Add(record.IPv4(i));
        for (int i = 0; i < record.IPv6Count; i++) rec.V6.Add(record.IPv6(i).ToArray());
        int before = rec.V4.Count + rec.V6.Count;
        PeepholeTables.AddAddress(rec, address);
        if (rec.V4.Count + rec.V6.Count != before) _names[key] = NameRecord.Encode(0, rec.V4, rec.V6);
    }
}
