namespace ModelDsl.Kernels;

/// <summary>Max unpooling: the inverse of a max-pool's selection, using the argmax it saved ("switches", Zeiler &amp; Fergus).</summary>
public static class MaxUnpool2D
{
    /// <summary>
    /// y (N, C, H, W) (overwritten with zeros first) receives each x (N, C, OH, OW) at the input position its
    /// max-pool window chose: y[n, c, argmax[n, c, o]] = x[n, c, o]. T is the shape of that max-pool; argmax is
    /// what its forward saved (−1 entries are skipped).
    /// </summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<int> argmax, Span<float> y, int n)
        where T : struct, IPool2DShape => throw new NotImplementedException();

    /// <summary>dx (N, C, OH, OW) (overwritten) = dy gathered at argmax (0 where argmax is −1).</summary>
    public static void Backward<T>(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int n)
        where T : struct, IPool2DShape => throw new NotImplementedException();
}
