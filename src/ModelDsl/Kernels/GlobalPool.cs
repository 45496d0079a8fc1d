namespace ModelDsl.Kernels;

/// <summary>Global pooling: one value per channel, over all hw = H·W positions: (N, C, H, W) → (N, C, 1, 1).</summary>
public static class GlobalPool
{
    /// <summary>y[n, c] = mean over hw of x[n, c, ·].</summary>
    public static void AvgForward(ReadOnlySpan<float> x, Span<float> y, int n, int c, int hw) => throw new NotImplementedException();

    /// <summary>dx[n, c, ·] (overwritten) = dy[n, c] / hw.</summary>
    public static void AvgBackward(ReadOnlySpan<float> dy, Span<float> dx, int n, int c, int hw) => throw new NotImplementedException();

    /// <summary>y[n, c] = max over hw of x[n, c, ·]; argmax[n, c] saves the winner's index in [0, hw).</summary>
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int n, int c, int hw) => throw new NotImplementedException();

    /// <summary>dx (overwritten) is zero except dx[n, c, argmax[n, c]] = dy[n, c].</summary>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int n, int c, int hw) => throw new NotImplementedException();
}
