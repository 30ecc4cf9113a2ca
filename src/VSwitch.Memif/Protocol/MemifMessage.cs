using System.Buffers.Binary;
using System.Text;

namespace VSwitch.Memif.Protocol;

/// <summary>A 128-byte memif control message, read in place.</summary>
/// <remarks>
/// <para>Every field is little-endian at a fixed offset (memif.h packs the structures); the
/// payload starts at offset 2. <see cref="TryRead"/> checks the length and the type once; the
/// accessors of each message type then read their fields and cannot fail. Values are not checked
/// here: a field's meaning depends on the session (a ring index is valid only below the number of
/// rings offered), so <see cref="Session.MemifValidation"/> judges them.</para>
/// </remarks>
public readonly ref struct MemifMessage
{
    private readonly ReadOnlySpan<byte> _bytes;

    private MemifMessage(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public MemifMessageType Type => (MemifMessageType)BinaryPrimitives.ReadUInt16LittleEndian(_bytes);

    /// <summary>Accepts exactly one 128-byte message of a known type.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out MemifMessage message)
    {
        message = default;
        if (datagram.Length != MemifConstants.MessageSize) return false;
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(datagram);
        if (type is 0 or > (ushort)MemifMessageType.Disconnect) return false;
        message = new MemifMessage(datagram);
        return true;
    }

    // HELLO
    public string HelloName => Text(2, MemifConstants.NameSize);
    public ushort HelloMinVersion => U16(34);
    public ushort HelloMaxVersion => U16(36);
    public ushort HelloMaxRegion => U16(38);
    public ushort HelloMaxS2CRing => U16(40);
    public ushort HelloMaxC2SRing => U16(42);
    public byte HelloMaxLog2RingSize => _bytes[44];

    // INIT
    public ushort InitVersion => U16(2);
    public uint InitId => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[4..]);
    public byte InitMode => _bytes[8];
    public ReadOnlySpan<byte> InitSecret => _bytes.Slice(9, MemifConstants.SecretSize);
    public string InitName => Text(33, MemifConstants.NameSize);

    // ADD_REGION
    public ushort RegionIndex => U16(2);
    public ulong RegionSize => BinaryPrimitives.ReadUInt64LittleEndian(_bytes[4..]);

    // ADD_RING
    public ushort RingFlags => U16(2);
    public ushort RingIndex => U16(4);
    public ushort RingRegion => U16(6);
    public uint RingOffset => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[8..]);
    public byte RingLog2Size => _bytes[12];
    public ushort RingPrivateHeaderSize => U16(13);

    // CONNECT, CONNECTED
    public string InterfaceName => Text(2, MemifConstants.NameSize);

    // DISCONNECT
    public uint DisconnectCode => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[2..]);
    public string DisconnectText => Text(6, MemifConstants.DisconnectStringSize);

    private ushort U16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[offset..]);

    // Peer-supplied text: up to the first NUL, never past the field, and only for logs and listings.
    private string Text(int offset, int size)
    {
        ReadOnlySpan<byte> field = _bytes.Slice(offset, size);
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}

/// <summary>Writes memif control messages into a caller's 128-byte buffer.</summary>
/// <remarks>Each writer clears the whole message first: the protocol wants every unused byte zero.
/// Text fields are cut at their size (UTF-8, NUL-padded).</remarks>
public static class MemifMessageWriter
{
    public static void Hello(Span<byte> m, string name, ushort maxRegion, ushort maxS2CRing, ushort maxC2SRing, byte maxLog2RingSize)
    {
        Start(m, MemifMessageType.Hello);
        Text(m.Slice(2, MemifConstants.NameSize), name);
        BinaryPrimitives.WriteUInt16LittleEndian(m[34..], MemifConstants.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(m[36..], MemifConstants.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(m[38..], maxRegion);
        BinaryPrimitives.WriteUInt16LittleEndian(m[40..], maxS2CRing);
        BinaryPrimitives.WriteUInt16LittleEndian(m[42..], maxC2SRing);
        m[44] = maxLog2RingSize;
    }

    public static void Init(Span<byte> m, uint id, string name, string? secret, ushort version = MemifConstants.Version, byte mode = MemifConstants.ModeEthernet)
    {
        Start(m, MemifMessageType.Init);
        BinaryPrimitives.WriteUInt16LittleEndian(m[2..], version);
        BinaryPrimitives.WriteUInt32LittleEndian(m[4..], id);
        m[8] = mode;
        if (secret is not null) Text(m.Slice(9, MemifConstants.SecretSize), secret);
        Text(m.Slice(33, MemifConstants.NameSize), name);
    }

    public static void AddRegion(Span<byte> m, ushort index, ulong size)
    {
        Start(m, MemifMessageType.AddRegion);
        BinaryPrimitives.WriteUInt16LittleEndian(m[2..], index);
        BinaryPrimitives.WriteUInt64LittleEndian(m[4..], size);
    }

    public static void AddRing(Span<byte> m, bool c2s, ushort index, ushort region, uint offset, byte log2Size, ushort privateHeaderSize = 0)
    {
        Start(m, MemifMessageType.AddRing);
        BinaryPrimitives.WriteUInt16LittleEndian(m[2..], c2s ? MemifConstants.AddRingFlagC2S : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(m[4..], index);
        BinaryPrimitives.WriteUInt16LittleEndian(m[6..], region);
        BinaryPrimitives.WriteUInt32LittleEndian(m[8..], offset);
        m[12] = log2Size;
        BinaryPrimitives.WriteUInt16LittleEndian(m[13..], privateHeaderSize);
    }

    public static void Ack(Span<byte> m) => Start(m, MemifMessageType.Ack);

    public static void Connect(Span<byte> m, string interfaceName)
    {
        Start(m, MemifMessageType.Connect);
        Text(m.Slice(2, MemifConstants.NameSize), interfaceName);
    }

    public static void Connected(Span<byte> m, string interfaceName)
    {
        Start(m, MemifMessageType.Connected);
        Text(m.Slice(2, MemifConstants.NameSize), interfaceName);
    }

    public static void Disconnect(Span<byte> m, uint code, string reason)
    {
        Start(m, MemifMessageType.Disconnect);
        BinaryPrimitives.WriteUInt32LittleEndian(m[2..], code);
        Text(m.Slice(6, MemifConstants.DisconnectStringSize), reason);
    }

    private static void Start(Span<byte> m, MemifMessageType type)
    {
        if (m.Length != MemifConstants.MessageSize) throw new ArgumentException("a memif message is 128 bytes", nameof(m));
        m.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(m, (ushort)type);
    }

    // Cut at a character boundary so the field never ends in half a UTF-8 sequence; the rest stays NUL.
    private static void Text(Span<byte> field, string text)
    {
        int chars = text.Length;
        while (Encoding.UTF8.GetByteCount(text.AsSpan(0, chars)) > field.Length) chars--;
        Encoding.UTF8.GetBytes(text.AsSpan(0, chars), field);
    }
}
