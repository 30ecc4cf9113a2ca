using System.Net;
using VSwitch.Datapath.Tenancy;

namespace VSwitch.Tests.Tenancy;

/// <summary>What a tenant learns from traffic: routers from their advertisements, declined DHCP addresses.</summary>
public class LearnedStateTests
{
    private const long Second = 1_000_000_000;
    private static readonly byte[] Gateway = IPAddress.Parse("fe80::1").GetAddressBytes();
    private static readonly byte[] Other = IPAddress.Parse("fe80::2").GetAddressBytes();
    private const ulong GatewayMac = 0x02_00_00_00_00_01, OtherMac = 0x02_00_00_00_00_02;

    [Fact]
    public void IsRouter_ByAddressOrByMac_OnItsVlanOnly()
    {
        var routers = new LearnedRouters();
        routers.Learn(vlan: 1, Gateway, GatewayMac, lifetimeSeconds: 1800, now: 0);
        Assert.True(routers.IsRouter(1, Gateway, OtherMac, Second));
        // The gateway's global address, owned by its MAC in the tables.
        Assert.True(routers.IsRouter(1, IPAddress.Parse("2001:db8::1").GetAddressBytes(), GatewayMac, Second));
        Assert.False(routers.IsRouter(1, Other, OtherMac, Second));
        Assert.False(routers.IsRouter(10, Gateway, GatewayMac, Second));
    }

    [Theory]
    [InlineData(0u, 1800)]      // not a default router: still a router, held for the 30-minute floor
    [InlineData(600u, 1800)]
    [InlineData(9000u, 9000)]   // the longest router lifetime RFC 4861 allows
    public void IsRouter_ExpiresAfterLifetimeOrThirtyMinutes(uint lifetime, long heldSeconds)
    {
        var routers = new LearnedRouters();
        routers.Learn(1, Gateway, GatewayMac, lifetime, now: 5 * Second);
        Assert.True(routers.IsRouter(1, Gateway, GatewayMac, (5 + heldSeconds) * Second - 1));
        Assert.False(routers.IsRouter(1, Gateway, GatewayMac, (5 + heldSeconds) * Second));
    }

    [Fact]
    public void Learn_Refresh_ExtendsTheSameEntry()
    {
        var routers = new LearnedRouters();
        routers.Learn(1, Gateway, GatewayMac, 1800, now: 0);
        routers.Learn(1, Gateway, GatewayMac, 1800, now: 1000 * Second);
        Assert.Equal(1, routers.Count);
        Assert.True(routers.IsRouter(1, Gateway, GatewayMac, 2700 * Second));
    }

    [Fact]
    public void Learn_Full_ReplacesTheEntryThatExpiresFirst()
    {
        var routers = new LearnedRouters();
        for (int i = 0; i < LearnedRouters.Capacity; i++)
        {
            byte[] address = IPAddress.Parse($"fe80::{i + 100:x}").GetAddressBytes();
            routers.Learn(1, address, 0x02_00_00_00_10_00UL + (ulong)i, 1800, now: (i + 1) * Second);
        }
        routers.Learn(1, Gateway, GatewayMac, 1800, now: 100 * Second);
        Assert.Equal(LearnedRouters.Capacity, routers.Count);
        Assert.True(routers.IsRouter(1, Gateway, GatewayMac, 101 * Second));
        // The first one learned (expiring soonest) made room.
        Assert.False(routers.IsRouter(1, IPAddress.Parse("fe80::64").GetAddressBytes(), 0x02_00_00_00_10_00UL, 101 * Second));
        Assert.True(routers.IsRouter(1, IPAddress.Parse("fe80::65").GetAddressBytes(), 0x02_00_00_00_10_01UL, 101 * Second));
    }

    [Fact]
    public void Declines_HeldBackForTenMinutes_ForThatClientAndAddressOnly()
    {
        var declines = new DeclinedLeases();
        const uint Lease = 0xC612_0065;
        declines.Add(GatewayMac, Lease, now: 10 * Second);
        Assert.True(declines.IsHeldBack(GatewayMac, Lease, 10 * Second + DeclinedLeases.BackOffNanoseconds - 1));
        Assert.False(declines.IsHeldBack(GatewayMac, Lease, 10 * Second + DeclinedLeases.BackOffNanoseconds));
        Assert.False(declines.IsHeldBack(OtherMac, Lease, 11 * Second));
        Assert.False(declines.IsHeldBack(GatewayMac, Lease + 1, 11 * Second));
    }

    [Fact]
    public void Declines_Full_ReuseExpiredThenSoonestExpiring()
    {
        var declines = new DeclinedLeases();
        for (int i = 0; i < DeclinedLeases.Capacity; i++) declines.Add((ulong)i + 1, 0xC612_0000 + (uint)i, now: i * Second);
        declines.Add(9999, 1, now: DeclinedLeases.BackOffNanoseconds + Second);
        Assert.Equal(DeclinedLeases.Capacity, declines.Count);
        Assert.True(declines.IsHeldBack(9999, 1, DeclinedLeases.BackOffNanoseconds + 2 * Second));
        // The others still in their back-off are kept.
        Assert.True(declines.IsHeldBack(DeclinedLeases.Capacity, 0xC612_0000 + DeclinedLeases.Capacity - 1, DeclinedLeases.BackOffNanoseconds + 2 * Second));
    }
}
