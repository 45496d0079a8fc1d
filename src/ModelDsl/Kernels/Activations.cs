namespace ModelDsl.Kernels;

/// <summary>
/// Element-wise activations. Forward maps x → y; backward maps dy → dx = dy · f′ written from the
/// saved output y. Both may run in place (x and y, dy and dx the same span).
/// </summary>
public static class Activations
{
    /// <summary>y = max(0, x).</summary>
    public static void ReLU(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();
    /// <summary>dx = dy · [y &gt; 0].</summary>
    public static void ReLUBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();
    /// <summary>y = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();
    /// <summary>dx = dy · (1 − y²).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();
    /// <summary>y = 1 / (1 + e^(−x)).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();
    /// <summary>dx = dy · y · (1 − y).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();
}

/// <summary>Softmax over the C channels of each sample, at each of the <c>inner</c> (= H·W, 1 when flat) positions.</summary>
public static class Softmax
{
    /// <summary>y (N, C, inner) = softmax of x over C (max-subtracted, so large inputs do not overflow).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int n, int c, int inner) => throw new NotImplementedException();
    /// <summary>dx = y ⊙ (dy − Σ_c dy ⊙ y).</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int n, int c, int inner) => throw new NotImplementedException();
}

/// <summary>Inverted dropout.</summary>
public static class Dropout
{
    /// <summary>Training: mask = 0 with probability p, else 1/(1 − p); y = x ⊙ mask.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float p, ref Rng rng) => throw new NotImplementedException();
    /// <summary>dx = dy ⊙ mask.</summary>
    public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();
}
