using System.Diagnostics.CodeAnalysis;

namespace VSwitch.Datapath;

/// <summary>Cold-path throws, kept out of line so the hot methods that call them stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowDoubleReturn(int slot) =>
        throw new InvalidOperationException($"Frame slot {slot} was returned to the pool but is not rented.");

    [DoesNotReturn]
    public static void ThrowSlotOutOfRange(int slot) =>
        throw new ArgumentOutOfRangeException(nameof(slot), slot, "No such frame slot.");
}
