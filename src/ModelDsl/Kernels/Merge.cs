namespace ModelDsl.Kernels;

/// <summary>Layers that combine several inputs: residual sums, channel concatenation, per-channel scaling.</summary>
public static class Merge
{
    /// <summary>y = a + b (element-wise; y may alias a or b).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => throw new NotImplementedException();

    /// <summary>dst += src (element-wise): how a gradient reaching a tensor from several consumers is summed.</summary>
    public static void Accumulate(ReadOnlySpan<float> src, Span<float> dst) => throw new NotImplementedException();

    /// <summary>
    /// Copies x (N, part) into y (N, total) at column offset <paramref name="offset"/> of each sample: one input of a
    /// channel concatenation (part = C_i·H·W, total = ΣC_i·H·W, offset = ΣC_{j&lt;i}·H·W).
    /// </summary>
    public static void ConcatForward(ReadOnlySpan<float> x, Span<float> y, int n, int part, int total, int offset) => throw new NotImplementedException();

    /// <summary>dx (N, part) (overwritten) = the slice of dy (N, total) at <paramref name="offset"/>.</summary>
    public static void ConcatBackward(ReadOnlySpan<float> dy, Span<float> dx, int n, int part, int total, int offset) => throw new NotImplementedException();

    /// <summary>y[n, c, ·] = x[n, c, ·] · s[n, c]: a per-channel scale (N, C) applied to x (N, C, HW), as in squeeze-and-excitation.</summary>
    public static void ScaleForward(ReadOnlySpan<float> x, ReadOnlySpan<float> s, Span<float> y, int n, int c, int hw) => throw new NotImplementedException();

    /// <summary>dx (overwritten, skipped when empty) = dy · s; ds[n, c] (overwritten, skipped when empty) = Σ_hw dy · x.</summary>
    public static void ScaleBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> s, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> ds, int n, int c, int hw) => throw new NotImplementedException();
}
