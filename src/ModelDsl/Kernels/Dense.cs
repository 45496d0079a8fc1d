namespace ModelDsl.Kernels;

/// <summary>Fully connected layer (PyTorch's Linear), forward and backward.</summary>
public static class Dense
{
    /// <summary>y (N, Out) = x (N, In) · wᵀ (w is (Out, In)) + b (Out); b empty when the layer has no bias.</summary>
    public static void Forward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int n)
        where T : struct, IDenseShape => throw new NotImplementedException();

    /// <summary>From dy (N, Out): dx = dy · w (overwritten; skipped when empty), dw += dyᵀ · x, db += Σₙ dy (skipped when empty).</summary>
    public static void Backward<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dw, Span<float> db, int n)
        where T : struct, IDenseShape => throw new NotImplementedException();
}
