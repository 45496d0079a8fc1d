using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelDsl.Kernels;

// Element-wise loops run over Vector256 blocks, then a scalar tail. Each block is read completely
// before it is written, so x and y (or dy and dx) may be the same span. Large tensors are split
// across the worker pool (ParallelRanges), which changes no result: every element is computed alone.

/// <summary>
/// Element-wise activations. Forward maps x → y; backward maps dy → dx = dy · f′ written from the
/// saved output y. Both may run in place (x and y, dy and dx the same span).
/// </summary>
public static class Activations
{
    /// <summary>y = max(0, x).</summary>
    public static void ReLU(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map<ReLUOp>(x, y);

    /// <summary>dx = dy · [y &gt; 0].</summary>
    public static void ReLUBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Zip<ReLUGradOp>(y, dy, dx);

    /// <summary>y = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map<TanhOp>(x, y);

    /// <summary>dx = dy · (1 − y²).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Zip<TanhGradOp>(y, dy, dx);

    /// <summary>y = 1 / (1 + e^(−x)).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map<SigmoidOp>(x, y);

    /// <summary>dx = dy · y · (1 − y).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Zip<SigmoidGradOp>(y, dy, dx);

    private readonly struct ReLUOp : IUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
        public static float Apply(float x) => x > 0 ? x : 0f;
    }

    private readonly struct ReLUGradOp : IBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, Vector256<float>.Zero);
        public static float Apply(float y, float dy) => y > 0 ? dy : 0f;
    }

    // tanh for |x| ≥ 0.4 as sign(x)·(1 − t)/(1 + t), t = e^(−2|x|) (1 − t ≥ 0.55, so no cancellation);
    // below, the odd Taylor series to x¹³ (the next term is under 2e-9 there).
    private readonly struct TanhOp : IUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x)
        {
            var a = Vector256.Abs(x);
            var t = Vector256.Exp(-2f * a);
            var large = (Vector256<float>.One - t) / (Vector256<float>.One + t);
            var x2 = x * x;
            var poly = Vector256.Create(21844f / 6081075f);
            poly = poly * x2 + Vector256.Create(-1382f / 155925f);
            poly = poly * x2 + Vector256.Create(62f / 2835f);
            poly = poly * x2 + Vector256.Create(-17f / 315f);
            poly = poly * x2 + Vector256.Create(2f / 15f);
            poly = poly * x2 + Vector256.Create(-1f / 3f);
            var small = a + a * x2 * poly;
            var magnitude = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(0.4f)), small, large);
            return Vector256.CopySign(magnitude, x);
        }

        public static float Apply(float x) => MathF.Tanh(x);
    }

    private readonly struct TanhGradOp : IBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - y * y);
        public static float Apply(float y, float dy) => dy * (1f - y * y);
    }

    private readonly struct SigmoidOp : IUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));
        public static float Apply(float x) => 1f / (1f + MathF.Exp(-x));
    }

    private readonly struct SigmoidGradOp : IBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => dy * y * (Vector256<float>.One - y);
        public static float Apply(float y, float dy) => dy * y * (1f - y);
    }
}

/// <summary>An element-wise map, as a Vector256 block and as a scalar (the tail).</summary>
internal interface IUnaryOp
{
    /// <summary>f on a block.</summary>
    static abstract Vector256<float> Apply(Vector256<float> x);
    /// <summary>f on one value.</summary>
    static abstract float Apply(float x);
}

/// <summary>An element-wise map of two inputs, as a Vector256 block and as a scalar (the tail).</summary>
internal interface IBinaryOp
{
    /// <summary>f on a block.</summary>
    static abstract Vector256<float> Apply(Vector256<float> a, Vector256<float> b);
    /// <summary>f on one pair.</summary>
    static abstract float Apply(float a, float b);
}

/// <summary>An element-wise map with a scalar parameter p (e.g. a slope), as a Vector256 block and as a scalar (the tail).</summary>
internal interface IParameterizedUnaryOp
{
    /// <summary>f on a block; <paramref name="p"/> is the parameter broadcast.</summary>
    static abstract Vector256<float> Apply(Vector256<float> x, Vector256<float> p);
    /// <summary>f on one value.</summary>
    static abstract float Apply(float x, float p);
}

/// <summary>An element-wise map of two inputs with a scalar parameter p, as a Vector256 block and as a scalar (the tail).</summary>
internal interface IParameterizedBinaryOp
{
    /// <summary>f on a block; <paramref name="p"/> is the parameter broadcast.</summary>
    static abstract Vector256<float> Apply(Vector256<float> a, Vector256<float> b, Vector256<float> p);
    /// <summary>f on one pair.</summary>
    static abstract float Apply(float a, float b, float p);
}

/// <summary>Element-wise loops, generic over the operation so it inlines.</summary>
internal static class Elementwise
{
    /// <summary>y[i] = f(x[i]); x and y may be the same span.</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOp => Map<Unparameterized<TOp>>(x, y, 0f);

    /// <summary>dx[i] = f(y[i], dy[i]); dy and dx may be the same span.</summary>
    public static void Zip<TOp>(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) where TOp : struct, IBinaryOp =>
        Zip<UnparameterizedBinary<TOp>>(y, dy, dx, 0f);

    /// <summary>y[i] = f(x[i], p); x and y may be the same span.</summary>
    public static unsafe void Map<TOp>(ReadOnlySpan<float> x, Span<float> y, float p) where TOp : struct, IParameterizedUnaryOp
    {
        KernelMath.Require(y.Length, x.Length, nameof(y));
        fixed (float* px = x, py = y)
            ParallelRanges.Run(new ZipKernel<FirstOnly<TOp>>(px, px, py, x.Length, p), Blocks(x.Length), 2L * x.Length);
    }

    /// <summary>dx[i] = f(y[i], dy[i], p); dy and dx may be the same span.</summary>
    public static unsafe void Zip<TOp>(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float p) where TOp : struct, IParameterizedBinaryOp
    {
        KernelMath.Require(dy.Length, y.Length, nameof(dy));
        KernelMath.Require(dx.Length, y.Length, nameof(dx));
        fixed (float* py = y, pdy = dy, pdx = dx)
            ParallelRanges.Run(new ZipKernel<TOp>(py, pdy, pdx, y.Length, p), Blocks(y.Length), 3L * y.Length);
    }

    // Large tensors are split across the worker pool in ranges of whole 16-float blocks (a cache line),
    // so no two threads write the same line; each element's result does not depend on the split.
    private const int Block = 16;

    private static int Blocks(int length) => (length + Block - 1) / Block;

    private readonly unsafe struct ZipKernel<TOp>(float* y, float* dy, float* dx, int length, float p) : IRangeKernel where TOp : struct, IParameterizedBinaryOp
    {
        public void Reserve(Scratch scratch) { }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            var pv = Vector256.Create(p);
            var i = begin * Block;
            var stop = Math.Min(length, end * Block);
            for (; i <= stop - Vector256<float>.Count; i += Vector256<float>.Count)
                TOp.Apply(Vector256.Load(y + i), Vector256.Load(dy + i), pv).Store(dx + i);
            for (; i < stop; i++) dx[i] = TOp.Apply(y[i], dy[i], p);
        }
    }

    // Unparameterized ops seen as parameterized ones that ignore p, so each loop exists once.
    private readonly struct Unparameterized<TOp> : IParameterizedUnaryOp where TOp : struct, IUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> p) => TOp.Apply(x);
        public static float Apply(float x, float p) => TOp.Apply(x);
    }

    // A map as a zip that reads its second input (the first again, from L1) and ignores it, so the loop exists once.
    private readonly struct FirstOnly<TOp> : IParameterizedBinaryOp where TOp : struct, IParameterizedUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b, Vector256<float> p) => TOp.Apply(a, p);
        public static float Apply(float a, float b, float p) => TOp.Apply(a, p);
    }

    private readonly struct UnparameterizedBinary<TOp> : IParameterizedBinaryOp where TOp : struct, IBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b, Vector256<float> p) => TOp.Apply(a, b);
        public static float Apply(float a, float b, float p) => TOp.Apply(a, b);
    }
}

/// <summary>Softmax over the C channels of each sample, at each of the <c>inner</c> (= H·W, 1 when flat) positions.</summary>
public static class Softmax
{
    /// <summary>y (N, C, inner) = softmax of x over C (max-subtracted, so large inputs do not overflow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int n, int c, int inner)
    {
        Check(x.Length, y.Length, n, c, inner);
        for (var s = 0; s < n; s++)
            for (var q = 0; q < inner; q++)
            {
                var o = s * c * inner + q;   // element (s, ch, q) is at o + ch·inner
                var max = float.NegativeInfinity;
                for (var ch = 0; ch < c; ch++) max = MathF.Max(max, x[o + ch * inner]);
                var sum = 0f;
                for (var ch = 0; ch < c; ch++)
                {
                    var e = MathF.Exp(x[o + ch * inner] - max);
                    y[o + ch * inner] = e;
                    sum += e;
                }
                var scale = 1f / sum;
                for (var ch = 0; ch < c; ch++) y[o + ch * inner] *= scale;
            }
    }

    /// <summary>dx = y ⊙ (dy − Σ_c dy ⊙ y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int n, int c, int inner)
    {
        Check(y.Length, dx.Length, n, c, inner);
        KernelMath.Require(dy.Length, (long)n * c * inner, nameof(dy));
        for (var s = 0; s < n; s++)
            for (var q = 0; q < inner; q++)
            {
                var o = s * c * inner + q;   // element (s, ch, q) is at o + ch·inner
                var dot = 0f;
                for (var ch = 0; ch < c; ch++) dot += dy[o + ch * inner] * y[o + ch * inner];
                for (var ch = 0; ch < c; ch++) dx[o + ch * inner] = y[o + ch * inner] * (dy[o + ch * inner] - dot);
            }
    }

    private static void Check(int inputLength, int outputLength, int n, int c, int inner)
    {
        KernelMath.RequireBatch(n);
        if (c <= 0) throw new ArgumentOutOfRangeException(nameof(c), c, "Softmax needs at least one channel.");
        if (inner <= 0) throw new ArgumentOutOfRangeException(nameof(inner), inner, "Softmax needs at least one position.");
        KernelMath.Require(inputLength, (long)n * c * inner, "x");
        KernelMath.Require(outputLength, (long)n * c * inner, "y");
    }
}

/// <summary>Inverted dropout.</summary>
public static class Dropout
{
    /// <summary>Training: mask = 0 with probability p, else 1/(1 − p); y = x ⊙ mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float p, ref Rng rng)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "The drop probability must lie in [0, 1].");
        KernelMath.Require(y.Length, x.Length, nameof(y));
        KernelMath.Require(mask.Length, x.Length, nameof(mask));
        // mask is x's shape; u < p drops (u uniform in [0, 1), so p = 0 keeps all, p = 1 drops all).
        var keep = p < 1f ? 1f / (1f - p) : 0f;
        for (var i = 0; i < x.Length; i++)
        {
            var m = rng.NextFloat() < p ? 0f : keep;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    /// <summary>dx = dy ⊙ mask.</summary>
    public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Zip<MaskOp>(mask, dy, dx);

    private readonly struct MaskOp : IBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> mask, Vector256<float> dy) => dy * mask;
        public static float Apply(float mask, float dy) => dy * mask;
    }
}
