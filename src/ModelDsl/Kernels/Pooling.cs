namespace ModelDsl.Kernels;

/// <summary>Max pooling, forward and backward. Padded cells never win.</summary>
public static class MaxPool2D
{
    /// <summary>y (N, C, OH, OW) = window maxima of x; argmax (N, C, OH, OW) saves the winner's index within its input plane (H·W) for backward.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int n)
        where T : struct, IPool2DShape => throw new NotImplementedException();

    /// <summary>dx (N, C, H, W) (overwritten) receives each dy at its window's argmax.</summary>
    public static void Backward<T>(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int n)
        where T : struct, IPool2DShape => throw new NotImplementedException();
}

/// <summary>Average pooling, forward and backward. Padded cells count as zeros (divisor KH·KW).</summary>
public static class AvgPool2D
{
    /// <summary>y (N, C, OH, OW) = window means of x.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, Span<float> y, int n)
        where T : struct, IPool2DShape => throw new NotImplementedException();

    /// <summary>dx (N, C, H, W) (overwritten) = each dy spread evenly over its window.</summary>
    public static void Backward<T>(ReadOnlySpan<float> dy, Span<float> dx, int n)
        where T : struct, IPool2DShape => throw new NotImplementedException();
}
