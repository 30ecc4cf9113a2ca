using System.Buffers.Binary;

namespace VSwitch.Datapath.Peephole.Dhcp;

/// <summary>A DHCP client message (RFC 2131 2, RFC 2132 options) viewed in place.</summary>
/// <remarks>
/// <see cref="TryRead"/> checks what the responder relies on: BOOTREQUEST, Ethernet hardware
/// (htype 1, hlen 6), the magic cookie, every option's length inside the message, and option 53
/// present exactly once. It records where the options it uses are, so nothing is searched twice.
/// </remarks>
public readonly ref struct DhcpMessage
{
    public const int FixedLength = 236;
    public const int OptionsOffset = FixedLength + 4;
    public const uint MagicCookie = 0x63825363;
    public const byte BootRequest = 1, BootReply = 2;
    public const byte Discover = 1, Offer = 2, Request = 3, Decline = 4, Ack = 5, Nak = 6, Release = 7, Inform = 8;
    public const byte OptPad = 0, OptSubnetMask = 1, OptRouter = 3, OptDns = 6, OptDomainName = 15, OptBroadcast = 28,
        OptRequestedAddress = 50, OptLeaseTime = 51, OptOverload = 52, OptMessageType = 53, OptServerId = 54,
        OptParameterList = 55, OptMaxMessageSize = 57, OptRenewalTime = 58, OptRebindingTime = 59, OptClientId = 61,
        OptInterfaceMtu = 26, OptEnd = 255;

    private readonly ReadOnlySpan<byte> _bytes;

    private DhcpMessage(ReadOnlySpan<byte> bytes, byte type, int requested, int serverId, int parameters, int parameterCount, int maxSize,
        bool overload, int clientId, int clientIdLength)
    {
        _clientId = clientId;
        ClientIdLength = clientIdLength;
        _bytes = bytes;
        MessageType = type;
        _requested = requested;
        _serverId = serverId;
        _parameters = parameters;
        ParameterCount = parameterCount;
        _maxSize = maxSize;
        HasOverload = overload;
    }

    private readonly int _requested, _serverId, _parameters, _maxSize, _clientId;

    public byte MessageType { get; }
    public bool HasOverload { get; }
    public uint TransactionId => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]);
    public ushort Flags => BinaryPrimitives.ReadUInt16BigEndian(_bytes[10..]);
    public bool BroadcastFlag => (Flags & 0x8000) != 0;
    public uint ClientAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes[12..]);
    public uint RelayAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes[24..]);
    public ReadOnlySpan<byte> ClientMac => _bytes.Slice(28, 6);

    /// <summary>Option 50, or 0 when absent.</summary>
    public uint RequestedAddress => _requested < 0 ? 0 : BinaryPrimitives.ReadUInt32BigEndian(_bytes[_requested..]);
    public bool HasServerId => _serverId >= 0;
    public uint ServerId => _serverId < 0 ? 0 : BinaryPrimitives.ReadUInt32BigEndian(_bytes[_serverId..]);

    /// <summary>Option 55: the options the client asks for, in its order of preference.</summary>
    public ReadOnlySpan<byte> ParameterList => _parameters < 0 ? default : _bytes.Slice(_parameters, ParameterCount);
    public int ParameterCount { get; }

    /// <summary>Option 61, the client identifier, as sent (empty when absent); a reply echoes it unaltered (RFC 6842).</summary>
    public ReadOnlySpan<byte> ClientId => _clientId < 0 ? default : _bytes.Slice(_clientId, ClientIdLength);
    public int ClientIdLength { get; }
    public bool HasClientId => _clientId >= 0;

    /// <summary>Option 57, or 576 (the minimum every client must accept) when absent or smaller.</summary>
    public int MaxMessageSize => _maxSize < 0 ? 576 : Math.Max(576, (int)BinaryPrimitives.ReadUInt16BigEndian(_bytes[_maxSize..]));

    public static bool TryRead(ReadOnlySpan<byte> payload, out DhcpMessage message)
    {
        message = default;
        if (payload.Length < OptionsOffset) return false;
        if (payload[0] != BootRequest || payload[1] != 1 || payload[2] != 6) return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(payload[FixedLength..]) != MagicCookie) return false;
        byte type = 0;
        int types = 0, requested = -1, serverId = -1, parameters = -1, parameterCount = 0, maxSize = -1, clientId = -1, clientIdLength = 0;
        bool overload = false, ended = false;
        int i = OptionsOffset;
        while (i < payload.Length)
        {
            byte code = payload[i];
            if (code == OptPad)
            {
                i++;
                continue;
            }
            if (code == OptEnd)
            {
                ended = true;
                break;
            }
            if (i + 2 > payload.Length) return false;
            int length = payload[i + 1];
            int value = i + 2;
            if (value + length > payload.Length) return false;
            switch (code)
            {
                case OptMessageType:
                    if (length != 1) return false;
                    type = payload[value];
                    types++;
                    break;
                case OptRequestedAddress when length == 4:
                    requested = value;
                    break;
                case OptServerId when length == 4:
                    serverId = value;
                    break;
                case OptParameterList:
                    parameters = value;
                    parameterCount = length;
                    break;
                case OptMaxMessageSize when length == 2:
                    maxSize = value;
                    break;
                case OptOverload:
                    overload = true;
                    break;
                case OptClientId:
                    clientId = value;
                    clientIdLength = length;
                    break;
                case OptRequestedAddress or OptServerId or OptMaxMessageSize:
                    return false;
            }
            i = value + length;
        }
        if (!ended || types != 1) return false;
        message = new DhcpMessage(payload, type, requested, serverId, parameters, parameterCount, maxSize, overload, clientId, clientIdLength);
        return true;
    }
}
