namespace ModelDsl.Kernels;

/// <summary>2-D transposed convolution ("deconvolution", PyTorch's ConvTranspose2d), forward and backward.</summary>
public static class ConvTranspose2D
{
    /// <summary>y (N, K, OH, OW) = the transposed convolution of x (N, C, H, W) with w (C, K/G, KH, KW), plus b (K); b empty when there is no bias.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int n)
        where T : struct, IConvTranspose2DShape => throw new NotImplementedException();

    /// <summary>From dy (N, K, OH, OW): dx overwritten (skipped when empty), dw += ∂/∂w, db += ∂/∂b (skipped when empty).</summary>
    public static void Backward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dw, Span<float> db, int n)
        where T : struct, IConvTranspose2DShape => throw new NotImplementedException();
}
