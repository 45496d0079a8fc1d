namespace ModelDsl.Kernels;

/// <summary>
/// Activations beyond the classic three. LeakyReLU and ReLU6 differentiate from the saved output y;
/// SiLU and HardSwish are not invertible, so their backward reads the saved input x.
/// Forward may run in place; backward may write dx over dy.
/// </summary>
public static class MoreActivations
{
    /// <summary>y = x for x &gt; 0, slope·x otherwise (slope &gt; 0, PyTorch default 0.01).</summary>
    public static void LeakyReLU(ReadOnlySpan<float> x, Span<float> y, float slope) => throw new NotImplementedException();
    /// <summary>dx = dy for y &gt; 0, slope·dy otherwise.</summary>
    public static void LeakyReLUBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float slope) => throw new NotImplementedException();
    /// <summary>y = min(max(x, 0), 6).</summary>
    public static void ReLU6(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();
    /// <summary>dx = dy where 0 &lt; y &lt; 6, else 0.</summary>
    public static void ReLU6Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();
    /// <summary>y = x·σ(x) (SiLU, Swish).</summary>
    public static void SiLU(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();
    /// <summary>dx = dy·σ(x)·(1 + x·(1 − σ(x))), from the input x.</summary>
    public static void SiLUBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();
    /// <summary>y = x·min(max(x + 3, 0), 6)/6 (Howard et al. 2019).</summary>
    public static void HardSwish(ReadOnlySpan<float> x, Span<float> y) => throw new NotImplementedException();
    /// <summary>dx = dy·(0 for x &lt; −3; (2x + 3)/6 for −3 ≤ x ≤ 3; 1 above), from the input x (PyTorch's convention at the ends).</summary>
    public static void HardSwishBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => throw new NotImplementedException();
}
