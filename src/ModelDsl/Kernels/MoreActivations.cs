using System.Runtime.Intrinsics;

namespace ModelDsl.Kernels;

/// <summary>
/// Activations beyond the classic three. LeakyReLU and ReLU6 differentiate from the saved output y;
/// SiLU and HardSwish are not invertible, so their backward reads the saved input x.
/// Forward may run in place; backward may write dx over dy.
/// </summary>
public static class MoreActivations
{
    /// <summary>y = x for x &gt; 0, slope·x otherwise (slope &gt; 0, PyTorch default 0.01).</summary>
    public static void LeakyReLU(ReadOnlySpan<float> x, Span<float> y, float slope) => Elementwise.Map<LeakyReLUOp>(x, y, CheckSlope(slope));
    /// <summary>dx = dy for y &gt; 0, slope·dy otherwise.</summary>
    public static void LeakyReLUBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float slope) =>
        Elementwise.Zip<LeakyReLUGradOp>(y, dy, dx, CheckSlope(slope));
    /// <summary>y = min(max(x, 0), 6).</summary>
    public static void ReLU6(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map<ReLU6Op>(x, y);
    /// <summary>dx = dy where 0 &lt; y &lt; 6, else 0.</summary>
    public static void ReLU6Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Zip<ReLU6GradOp>(y, dy, dx);
    /// <summary>y = x·σ(x) (SiLU, Swish).</summary>
    public static void SiLU(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map<SiLUOp>(x, y);
    /// <summary>dx = dy·σ(x)·(1 + x·(1 − σ(x))), from the input x.</summary>
    public static void SiLUBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Zip<SiLUGradOp>(x, dy, dx);
    /// <summary>y = x·min(max(x + 3, 0), 6)/6 (Howard et al. 2019).</summary>
    public static void HardSwish(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map<HardSwishOp>(x, y);
    /// <summary>dx = dy·(0 for x &lt; −3; (2x + 3)/6 for −3 ≤ x ≤ 3; 1 above), from the input x (PyTorch's convention at the ends).</summary>
    public static void HardSwishBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Zip<HardSwishGradOp>(x, dy, dx);

    // A negative slope would make the sign of y differ from the sign of x, and backward reads y.
    private static float CheckSlope(float slope) =>
        slope >= 0f ? slope : throw new ArgumentOutOfRangeException(nameof(slope), slope, "The LeakyReLU slope must not be negative.");

    private readonly struct LeakyReLUOp : IParameterizedUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> slope) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * slope);
        public static float Apply(float x, float slope) => x > 0 ? x : x * slope;
    }

    private readonly struct LeakyReLUGradOp : IParameterizedBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> y, Vector256<float> dy, Vector256<float> slope) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, dy * slope);
        public static float Apply(float y, float dy, float slope) => y > 0 ? dy : dy * slope;
    }

    private readonly struct ReLU6Op : IUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x) => Vector256.Min(Vector256.Max(x, Vector256<float>.Zero), Vector256.Create(6f));
        public static float Apply(float x) => MathF.Min(MathF.Max(x, 0f), 6f);
    }

    private readonly struct ReLU6GradOp : IBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256.LessThan(y, Vector256.Create(6f)),
                dy, Vector256<float>.Zero);
        public static float Apply(float y, float dy) => y > 0f && y < 6f ? dy : 0f;
    }

    // x/(1 + e^(−x)): for x → −∞, e^(−x) overflows to ∞ and y tends to −0, never ∞/∞.
    private readonly struct SiLUOp : IUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x) => x / (Vector256<float>.One + Vector256.Exp(-x));
        public static float Apply(float x) => x / (1f + MathF.Exp(-x));
    }

    // With e = e^(−x), σ = 1/(1 + e) and 1 − σ = e·σ for x ≥ 0 (exact where σ is near 1); for x < 0,
    // 1 − σ > ½ is computed directly (e·σ would be ∞·0 once e overflows).
    private readonly struct SiLUGradOp : IBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> dy)
        {
            var e = Vector256.Exp(-x);
            var sigma = Vector256<float>.One / (Vector256<float>.One + e);
            var oneMinus = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256<float>.One - sigma, e * sigma);
            return dy * sigma * (Vector256<float>.One + x * oneMinus);
        }

        public static float Apply(float x, float dy)
        {
            var e = MathF.Exp(-x);
            var sigma = 1f / (1f + e);
            var oneMinus = x < 0f ? 1f - sigma : e * sigma;
            return dy * sigma * (1f + x * oneMinus);
        }
    }

    private readonly struct HardSwishOp : IUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x) =>
            x * Vector256.Min(Vector256.Max(x + Vector256.Create(3f), Vector256<float>.Zero), Vector256.Create(6f)) / Vector256.Create(6f);
        public static float Apply(float x) => x * MathF.Min(MathF.Max(x + 3f, 0f), 6f) / 6f;
    }

    // x/3 + ½ = (2x + 3)/6 on [−3, 3], the form PyTorch evaluates.
    private readonly struct HardSwishGradOp : IBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> dy)
        {
            var middle = dy * (x / Vector256.Create(3f) + Vector256.Create(0.5f));
            var upper = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256.Create(3f)), middle, dy);
            return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-3f)), Vector256<float>.Zero, upper);
        }

        public static float Apply(float x, float dy) => x < -3f ? 0f : x <= 3f ? dy * (x / 3f + 0.5f) : dy;
    }
}
