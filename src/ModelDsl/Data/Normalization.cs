namespace ModelDsl;

/// <summary>
/// How pixel bytes become features: x = (b / 255 − Mean) / Std. <see cref="UnitRange"/> (the default)
/// keeps x in [0, 1]; a dataset's own mean and standard deviation center it.
/// </summary>
/// <param name="Mean">Subtracted after scaling to [0, 1].</param>
/// <param name="Std">Divided by after subtracting; must be positive.</param>
public readonly record struct Normalization(float Mean, float Std)
{
    /// <summary>Scale to [0, 1] only.</summary>
    public static Normalization UnitRange => new(0f, 1f);

    internal void Validate()
    {
        if (!float.IsFinite(Mean))
            throw new ArgumentOutOfRangeException(nameof(Mean), Mean, "The normalization mean must be finite.");
        if (!(Std > 0) || !float.IsFinite(Std))
            throw new ArgumentOutOfRangeException(nameof(Std), Std, "The normalization standard deviation must be a finite number > 0.");
    }

    /// <summary>Writes the normalized value of each byte of <paramref name="bytes"/> into <paramref name="features"/>.</summary>
    internal void Apply(ReadOnlySpan<byte> bytes, Span<float> features)
    {
        Validate();
        // One table for the 256 byte values: exact the same float for the same byte everywhere.
        Span<float> table = stackalloc float[256];
        for (var b = 0; b < 256; b++) table[b] = (b / 255f - Mean) / Std;
        for (var i = 0; i < bytes.Length; i++) features[i] = table[bytes[i]];
    }
}
