namespace ModelDsl.Kernels;

/// <summary>2-D convolution (cross-correlation, as PyTorch), forward and backward.</summary>
public static class Conv2D
{
    /// <summary>y (N, K, OH, OW) = x (N, C, H, W) ⋆ w (K, C, KH, KW) + b (K); b empty when the layer has no bias.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int n)
        where T : struct, IConv2DShape => throw new NotImplementedException();

    /// <summary>From dy (N, K, OH, OW): dx = ∂/∂x (overwritten; skipped when empty), dw += ∂/∂w, db += ∂/∂b (skipped when empty).</summary>
    public static void Backward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dw, Span<float> db, int n)
        where T : struct, IConv2DShape => throw new NotImplementedException();
}
