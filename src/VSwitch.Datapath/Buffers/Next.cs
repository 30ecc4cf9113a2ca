namespace VSwitch.Datapath.Buffers;

/// <summary>The class a stage puts a frame in; later loops act on each class separately.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "Next is the stage vocabulary (VPP next nodes); no VB consumer exists.")]
public enum Next : byte
{
    /// <summary>Not decided yet: the next stage looks at it.</summary>
    Continue = 0,
    /// <summary>Send out of <c>OutPort</c>.</summary>
    Forward,
    /// <summary>Send out of every other port of the frame's VLAN.</summary>
    Flood,
    /// <summary>Return the slot to the pool and count the reason.</summary>
    Drop,
}
