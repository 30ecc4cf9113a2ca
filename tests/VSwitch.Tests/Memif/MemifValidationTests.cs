using VSwitch.Memif.Protocol;
using VSwitch.Memif.Rings;
using VSwitch.Memif.Session;
using VSwitch.Memif.Shared;
using VSwitch.Linux;

namespace VSwitch.Tests.Memif;

public class MemifValidationTests
{
    private static byte[] Init(ushort version = MemifConstants.Version, byte mode = 0, string? secret = null)
    {
        var m = new byte[128];
        MemifMessageWriter.Init(m, 0, "peer", secret, version, mode);
        return m;
    }

    private static MemifMessage Read(byte[] m)
    {
        Assert.True(MemifMessage.TryRead(m, out MemifMessage r));
        return r;
    }

    [Fact]
    public void Init_Good_Accepted()
    {
        Assert.Null(MemifValidation.CheckInit(Read(Init()), null));
        Assert.Null(MemifValidation.CheckInit(Read(Init(secret: "abc")), "abc"));
    }

    [Fact]
    public void Init_WrongVersion_Refused() => Assert.Contains("version", MemifValidation.CheckInit(Read(Init(version: 0x0100)), null));

    [Fact]
    public void Init_ModeIp_Refused() => Assert.Contains("mode", MemifValidation.CheckInit(Read(Init(mode: 1)), null));

    [Theory]
    [InlineData(null)]
    [InlineData("abd")]
    [InlineData("abcd")]
    [InlineData("ab")]
    public void Init_WrongOrMissingSecret_Refused(string? given) =>
        Assert.Equal("incorrect secret", MemifValidation.CheckInit(Read(Init(secret: given)), "abc"));

    private static MemifMessage Region(ushort index, ulong size)
    {
        var m = new byte[128];
        MemifMessageWriter.AddRegion(m, index, size);
        return Read(m);
    }

    [Fact]
    public void Region_Good_Accepted() => Assert.Null(MemifValidation.CheckRegion(Region(0, 4096), 0, 5));

    [Fact]
    public void Region_NoDescriptor_Refused() => Assert.Contains("file descriptor", MemifValidation.CheckRegion(Region(0, 4096), 0, -1));

    [Fact]
    public void Region_OutOfOrder_Refused() => Assert.Contains("out of order", MemifValidation.CheckRegion(Region(1, 4096), 0, 5));

    [Theory]
    [InlineData(0UL)]
    [InlineData((1UL << 30) + 1)]
    public void Region_BadSize_Refused(ulong size) => Assert.Contains("size", MemifValidation.CheckRegion(Region(0, size), 0, 5));

    [Fact]
    public void Region_TooMany_Refused() => Assert.Contains("too many", MemifValidation.CheckRegion(Region(4, 4096), RegionTable.MaxRegions, 5));

    [Fact]
    public void RegionDescriptor_SealedMemfd_Accepted()
    {
        using MemifRegion region = MemifRegion.Create("ok", 8192);
        Assert.Null(MemifRegion.CheckDescriptor(region.Fd, 8192));
    }

    [Fact]
    public void RegionDescriptor_SmallerThanAnnounced_Refused()
    {
        using MemifRegion region = MemifRegion.Create("small", 4096);
        Assert.Contains("fewer than", MemifRegion.CheckDescriptor(region.Fd, 8192));
    }

    [Fact]
    public void RegionDescriptor_MemfdWithoutShrinkSeal_Refused()
    {
        // A peer that could shrink its memfd after we mapped it would make us fault: the seal is required.
        int fd = LibC.MemfdCreate("unsealed", LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        try
        {
            Assert.Equal(0, LibC.Ftruncate(fd, 8192));
            Assert.Contains("F_SEAL_SHRINK", MemifRegion.CheckDescriptor(fd, 8192));
            Assert.Null(MemifRegion.TryMap(fd, 8192, out string? error));
            Assert.NotNull(error);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    [Fact]
    public void RegionDescriptor_NotAMemfd_Refused()
    {
        int fd = LibC.EventFd(0, LibC.EFD_CLOEXEC);
        try
        {
            Assert.Contains("cannot be sealed", MemifRegion.CheckDescriptor(fd, 8));
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    private static MemifMessage Ring(bool c2s = true, ushort index = 0, ushort region = 0, uint offset = 0, byte log2 = 4, ushort privateHeader = 0, ushort? flags = null)
    {
        var m = new byte[128];
        MemifMessageWriter.AddRing(m, c2s, index, region, offset, log2, privateHeader);
        if (flags is ushort f) BitConverter.TryWriteBytes(m.AsSpan(2), f);
        return Read(m);
    }

    private static string? CheckRing(MemifMessage m, int fd = 5, bool haveC2S = false, bool haveS2C = false, ulong regionSize = 8192)
    {
        using var regions = new RegionTable();
        regions.Add(MemifRegion.Create("r", regionSize));
        return MemifValidation.CheckRing(m, regions, fd, haveC2S, haveS2C, MemifConstants.MaxLog2RingSize);
    }

    [Fact]
    public void Ring_Good_Accepted()
    {
        Assert.Null(CheckRing(Ring()));
        Assert.Null(CheckRing(Ring(c2s: false, offset: 4096)));
    }

    [Fact]
    public void Ring_NoEventFd_Refused() => Assert.Contains("eventfd", CheckRing(Ring(), fd: -1));

    [Fact]
    public void Ring_UnknownFlags_Refused() => Assert.Contains("flags", CheckRing(Ring(flags: 0x8001)));

    [Fact]
    public void Ring_IndexBeyondTheOneQueuePair_Refused() => Assert.Contains("index", CheckRing(Ring(index: 1)));

    [Fact]
    public void Ring_GivenTwice_Refused() => Assert.Contains("twice", CheckRing(Ring(), haveC2S: true));

    [Fact]
    public void Ring_PrivateHeader_Refused() => Assert.Contains("private", CheckRing(Ring(privateHeader: 16)));

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    public void Ring_Log2SizeOutOfRange_Refused(byte log2) => Assert.Contains("log2", CheckRing(Ring(log2: log2)));

    [Fact]
    public void Ring_RegionNotAdded_Refused() => Assert.Contains("not added", CheckRing(Ring(region: 1)));

    [Fact]
    public void Ring_MisalignedOffset_Refused() => Assert.Contains("aligned", CheckRing(Ring(offset: 4)));

    [Theory]
    [InlineData(8192u - 128)]       // the header fits, the descriptors do not
    [InlineData(0xFFFFFFF8u)]       // far past the end (and would overflow 32-bit arithmetic)
    public void Ring_OutsideTheRegion_Refused(uint offset) => Assert.Contains("does not fit", CheckRing(Ring(offset: offset)));

    [Fact]
    public void Ring_LargerThanTheRegion_Refused() => Assert.Contains("does not fit", CheckRing(Ring(log2: 14)));

    [Fact]
    public unsafe void Cookie_Wrong_Refused()
    {
        using MemifRegion region = MemifRegion.Create("c", 4096);
        var ring = new MemifRing(region.Address, 4);
        Assert.Contains("cookie", MemifValidation.CheckCookie(ring, "C2S"));
        ring.Cookie = MemifConstants.Cookie;
        Assert.Null(MemifValidation.CheckCookie(ring, "C2S"));
    }

    [Fact]
    public void Hello_WithoutVersion2_Refused()
    {
        var m = new byte[128];
        MemifMessageWriter.Hello(m, "old", 0, 0, 0, 10);
        m[34] = 0; m[35] = 1; m[36] = 0; m[37] = 1;  // versions 0x0100..0x0100
        Assert.Contains("versions", MemifValidation.CheckHello(Read(m)));
    }
}
