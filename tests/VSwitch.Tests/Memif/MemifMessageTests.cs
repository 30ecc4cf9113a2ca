using VSwitch.Memif.Protocol;

namespace VSwitch.Tests.Memif;

public class MemifMessageTests
{
    [Fact]
    public void Hello_WrittenThenRead_FieldsAtTheirOffsets()
    {
        var m = new byte[128];
        MemifMessageWriter.Hello(m, "vswitch", 3, 0, 0, 14);
        Assert.Equal([2, 0], m[..2]);
        Assert.Equal((byte)'v', m[2]);
        Assert.Equal([0x00, 0x02, 0x00, 0x02, 3, 0], m[34..40]);
        Assert.True(MemifMessage.TryRead(m, out MemifMessage r));
        Assert.Equal(MemifMessageType.Hello, r.Type);
        Assert.Equal("vswitch", r.HelloName);
        Assert.Equal(0x0200, r.HelloMinVersion);
        Assert.Equal(0x0200, r.HelloMaxVersion);
        Assert.Equal(3, r.HelloMaxRegion);
        Assert.Equal(14, r.HelloMaxLog2RingSize);
    }

    [Fact]
    public void Init_WrittenThenRead_RoundTrips()
    {
        var m = new byte[128];
        MemifMessageWriter.Init(m, 0x01020304, "app", "s3cret");
        Assert.Equal([3, 0, 0x00, 0x02, 0x04, 0x03, 0x02, 0x01, 0], m[..9]);
        Assert.True(MemifMessage.TryRead(m, out MemifMessage r));
        Assert.Equal(0x0200, r.InitVersion);
        Assert.Equal(0x01020304u, r.InitId);
        Assert.Equal(0, r.InitMode);
        Assert.Equal("s3cret"u8.ToArray(), r.InitSecret[..6].ToArray());
        Assert.Equal(0, r.InitSecret[6]);
        Assert.Equal("app", r.InitName);
    }

    [Fact]
    public void AddRegionAndAddRing_WrittenThenRead_RoundTrip()
    {
        var m = new byte[128];
        MemifMessageWriter.AddRegion(m, 1, 0x408100);
        Assert.True(MemifMessage.TryRead(m, out MemifMessage region));
        Assert.Equal(1, region.RegionIndex);
        Assert.Equal(0x408100UL, region.RegionSize);

        MemifMessageWriter.AddRing(m, c2s: true, index: 2, region: 1, offset: 0x4080, log2Size: 10);
        Assert.Equal([5, 0, 1, 0, 2, 0, 1, 0, 0x80, 0x40, 0, 0, 10, 0, 0], m[..15]);
        Assert.True(MemifMessage.TryRead(m, out MemifMessage ring));
        Assert.Equal(MemifConstants.AddRingFlagC2S, ring.RingFlags);
        Assert.Equal(2, ring.RingIndex);
        Assert.Equal(1, ring.RingRegion);
        Assert.Equal(0x4080u, ring.RingOffset);
        Assert.Equal(10, ring.RingLog2Size);
        Assert.Equal(0, ring.RingPrivateHeaderSize);
    }

    [Fact]
    public void Disconnect_LongReason_CutAtTheFieldAndNulTerminatedByTheZeroPadding()
    {
        var m = new byte[128];
        MemifMessageWriter.Disconnect(m, 7, new string('x', 200));
        Assert.True(MemifMessage.TryRead(m, out MemifMessage r));
        Assert.Equal(7u, r.DisconnectCode);
        Assert.Equal(96, r.DisconnectText.Length);
        Assert.All(m[102..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Connect_LongName_CutAt32Bytes()
    {
        var m = new byte[128];
        MemifMessageWriter.Connect(m, new string('n', 40));
        Assert.True(MemifMessage.TryRead(m, out MemifMessage r));
        Assert.Equal(new string('n', 32), r.InterfaceName);
        Assert.Equal(0, m[34]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(127)]
    [InlineData(129)]
    public void TryRead_NotExactly128Bytes_Refused(int length)
    {
        var m = new byte[length];
        if (length >= 2) m[0] = 1;
        Assert.False(MemifMessage.TryRead(m, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(0xFFFF)]
    public void TryRead_UnknownType_Refused(int type)
    {
        var m = new byte[128];
        m[0] = (byte)type;
        m[1] = (byte)(type >> 8);
        Assert.False(MemifMessage.TryRead(m, out _));
    }

    [Fact]
    public void Writers_ReuseADirtyBuffer_ClearEveryUnusedByte()
    {
        var m = Enumerable.Repeat((byte)0xAA, 128).ToArray();
        MemifMessageWriter.Ack(m);
        Assert.Equal(1, m[0]);
        Assert.All(m[1..], b => Assert.Equal(0, b));
    }
}
