using System.Net;
using VSwitch.Datapath.Frames;

namespace VSwitch.Datapath.Tables;

// Builds a snapshot from table lines as they stream in, hosts first, then ethers, so that a
// million-line file is never held as a million records: each line goes straight into the maps'
// final encodings (a NameRecord per name, the reverse lines per address) in packed arenas
// (PackedMapBuilder), and only those are laid out into the BlobMaps.

/// <summary>Accumulates hosts and ethers lines and builds the <see cref="PeepholeTables"/> they describe.</summary>
/// <param name="ethersFile">The ethers file's name, for errors about its lines.</param>
/// <param name="expectedNames">A guess at the number of names, to size the arenas once (0: grow as needed).</param>
public sealed class TableBuilder(string ethersFile, int expectedNames = 0)
{
    private readonly PackedMapBuilder _names = new(expectedNames);
    private readonly PackedMapBuilder _reverse = new(expectedNames);
    private readonly Dictionary<byte[], byte[]> _neighbors = new(ByteArrayComparer.Instance);
    // One hosts line's reverse value: an entry per name and the line's end (ReverseLines).
    private readonly byte[] _line = new byte[BlobMap.MaxValueLength];

    /// <summary>Ethers lines that name a host the hosts lines added so far do not have.</summary>
    public List<TableError> Errors { get; } = [];

    /// <summary>Adds one hosts line: each of its names resolves to its address; the address's
    /// reverse name is the canonical name of its first line.</summary>
    public void AddHost(HostsEntry h)
    {
        Span<byte> address = stackalloc byte[16];
        if (!h.Address.TryWriteBytes(address, out int addressLength)) return;
        address = address[..addressLength];
        int at = AddName(h.CanonicalName, address, 0);
        for (int i = 0; i < h.Aliases.Count; i++)
        {
            if (at + 1 + DnsName.MaxLength > _line.Length) break;
            at = AddName(h.Aliases[i], address, at);
        }
        _line[at++] = 0;
        ReadOnlySpan<byte> line = _line.AsSpan(0, at);
        // Most addresses are on one line: one probe adds it; a later line is appended to the first.
        if (!_reverse.TryAdd(address, line) && _reverse.TryGet(address, out ReadOnlySpan<byte> lines)
            && lines.Length + line.Length <= BlobMap.MaxValueLength)
            _reverse.Set(address, [.. lines, .. line]);
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
        if (!_names.TryGet(DnsName.KeyFromText(e.HostName!), out ReadOnlySpan<byte> value))
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
        if (zones.Length > 0)
        {
            foreach (byte[] address in _reverse.Keys()) PeepholeTables.AddReverseName((k, v) => _names.TryAdd(k, v), zones, address);
            PeepholeTables.AddEmptyNonTerminals(_names.Keys(), (k, v) => _names.TryAdd(k, v), zones);
        }
        return PeepholeTables.FromMaps(_names.ToBlobMap(), _reverse.ToBlobMap(), BlobMap.Build(_neighbors),
            BlobMap.Build(PeepholeTables.LeasesOf(_neighbors)), settings);
    }

    // Writes the name into the line at <at> and adds the address to the name's record; returns the line's new length.
    private int AddName(string name, ReadOnlySpan<byte> address, int at)
    {
        Span<byte> wire = stackalloc byte[DnsName.MaxLength];
        int length = DnsName.Write(name, wire);
        wire = wire[..length];
        int entry = ReverseLines.WriteEntry(wire, _line.AsSpan(at));
        Span<byte> key = stackalloc byte[length];
        DnsName.ToLower(wire, key);
        // Most names have one address: encode it directly (NameRecord's layout), with no list in
        // between, and add it in one probe; a name seen before gets the address added to its record.
        Span<byte> value = stackalloc byte[3 + address.Length];
        value[0] = 0;
        value[1] = (byte)(address.Length == 4 ? 1 : 0);
        value[2] = (byte)(address.Length == 16 ? 1 : 0);
        address.CopyTo(value[3..]);
        if (_names.TryAdd(key, value) || !_names.TryGet(key, out ReadOnlySpan<byte> old)) return at + entry;
        var record = new NameRecord(old);
        var rec = (V4: new List<uint>(), V6: new List<byte[]>());
        for (int i = 0; i < record.IPv4Count; i++) rec.V4.Add(record.IPv4(i));
        for (int i = 0; i < record.IPv6Count; i++) rec.V6.Add(record.IPv6(i).ToArray());
        int before = rec.V4.Count + rec.V6.Count;
        PeepholeTables.AddAddress(rec, address.ToArray());
        if (rec.V4.Count + rec.V6.Count != before) _names.Set(key, NameRecord.Encode(0, rec.V4, rec.V6));
        return at + entry;
    }
}
