using System.Globalization;

namespace ModelDsl;

/// <summary>
/// The shape of one sample (the batch N is not part of it): (C, H, W) for feature maps (rank 3),
/// (C, L) for sequences (rank 2, stored as H = 1, W = L), or (C) for a flat vector of C features (rank 1).
/// </summary>
public readonly record struct Shape(int C, int H, int W, int Rank)
{
    /// <summary>A flat vector of <paramref name="features"/> values.</summary>
    public static Shape Flat(int features) => new(features, 1, 1, 1);

    /// <summary>A sequence of C channels of length L (1-D convolutions).</summary>
    public static Shape Sequence(int c, int length) => new(c, 1, length, 2);

    /// <summary>A feature map of C channels of H×W.</summary>
    public static Shape Map(int c, int h, int w) => new(c, h, w, 3);

    /// <summary>Whether this is a flat vector (rank 1).</summary>
    public bool IsFlat => Rank == 1;

    /// <summary>Values per sample: C·H·W.</summary>
    public int Size => C * H * W;

    /// <summary>The shape with the batch in front: <c>(N, 6, 28, 28)</c>, <c>(N, 6, 100)</c> or <c>(N, 120)</c>.</summary>
    public override string ToString() => Rank switch
    {
        1 => string.Create(CultureInfo.InvariantCulture, $"(N, {C})"),
        2 => string.Create(CultureInfo.InvariantCulture, $"(N, {C}, {W})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"(N, {C}, {H}, {W})"),
    };

    /// <summary>One sample's dimensions joined by ×: <c>1×28×28</c>, <c>6×100</c> or <c>120</c>.</summary>
    public string ToSampleString() => Rank switch
    {
        1 => C.ToString(CultureInfo.InvariantCulture),
        2 => string.Create(CultureInfo.InvariantCulture, $"{C}×{W}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{C}×{H}×{W}"),
    };
}
