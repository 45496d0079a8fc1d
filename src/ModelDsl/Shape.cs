using System.Globalization;

namespace ModelDsl;

/// <summary>
/// The shape of one sample (the batch N is not part of it): (C, H, W) for feature maps, or (C) for a
/// flat vector of C features.
/// </summary>
public readonly record struct Shape(int C, int H, int W, bool IsFlat)
{
    /// <summary>A flat vector of <paramref name="features"/> values.</summary>
    public static Shape Flat(int features) => new(features, 1, 1, true);

    /// <summary>A feature map of C channels of H×W.</summary>
    public static Shape Map(int c, int h, int w) => new(c, h, w, false);

    /// <summary>Values per sample: C·H·W.</summary>
    public int Size => C * H * W;

    /// <summary>The shape with the batch in front: <c>(N, 6, 28, 28)</c> or <c>(N, 120)</c>.</summary>
    public override string ToString() => IsFlat
        ? string.Create(CultureInfo.InvariantCulture, $"(N, {C})")
        : string.Create(CultureInfo.InvariantCulture, $"(N, {C}, {H}, {W})");
}
