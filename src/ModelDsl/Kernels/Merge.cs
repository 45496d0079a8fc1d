using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelDsl.Kernels;

// Dimension legend: N batch, C channels, HW positions per channel; part and total are the per-sample
// lengths of one concatenated input and of the concatenation.

/// <summary>Layers that combine several inputs: residual sums, channel concatenation, per-channel scaling.</summary>
public static unsafe class Merge
{
    /// <summary>y = a + b (element-wise; y may alias a or b).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        KernelMath.Require(b.Length, a.Length, nameof(b));
        KernelMath.Require(y.Length, a.Length, nameof(y));
        Elementwise.Zip<AddOp>(a, b, y);
    }

    /// <summary>dst += src (element-wise): how a gradient reaching a tensor from several consumers is summed.</summary>
    public static void Accumulate(ReadOnlySpan<float> src, Span<float> dst)
    {
        KernelMath.Require(dst.Length, src.Length, nameof(dst));
        Elementwise.Zip<AddOp>(src, dst, dst);
    }

    /// <summary>dst = src (element-wise): a gradient passed on unchanged (an identity or flatten layer, each input of a sum).</summary>
    public static void Copy(ReadOnlySpan<float> src, Span<float> dst)
    {
        KernelMath.Require(dst.Length, src.Length, nameof(dst));
        Elementwise.Map<CopyOp>(src, dst[..src.Length]);
    }

    /// <summary>
    /// Copies x (N, part) into y (N, total) at column offset <paramref name="offset"/> of each sample: one input of a
    /// channel concatenation (part = C_i·H·W, total = ΣC_i·H·W, offset = ΣC_{j&lt;i}·H·W).
    /// </summary>
    public static void ConcatForward(ReadOnlySpan<float> x, Span<float> y, int n, int part, int total, int offset)
    {
        CheckConcat(x.Length, y.Length, n, part, total, offset, "x", "y");
        for (var s = 0; s < n; s++) x.Slice(s * part, part).CopyTo(y.Slice(s * total + offset, part));
    }

    /// <summary>dx (N, part) (overwritten) = the slice of dy (N, total) at <paramref name="offset"/>.</summary>
    public static void ConcatBackward(ReadOnlySpan<float> dy, Span<float> dx, int n, int part, int total, int offset)
    {
        CheckConcat(dx.Length, dy.Length, n, part, total, offset, "dx", "dy");
        for (var s = 0; s < n; s++) dy.Slice(s * total + offset, part).CopyTo(dx.Slice(s * part, part));
    }

    /// <summary>y[n, c, ·] = x[n, c, ·] · s[n, c]: a per-channel scale (N, C) applied to x (N, C, HW), as in squeeze-and-excitation.</summary>
    public static void ScaleForward(ReadOnlySpan<float> x, ReadOnlySpan<float> s, Span<float> y, int n, int c, int hw)
    {
        CheckScale(x.Length, s.Length, n, c, hw, "x");
        KernelMath.Require(y.Length, (long)n * c * hw, nameof(y));
        fixed (float* px = x, ps = s, py = y)
            for (var plane = 0; plane < n * c; plane++) Scale(px + (long)plane * hw, py + (long)plane * hw, hw, ps[plane]);
    }

    /// <summary>dx (overwritten, skipped when empty) = dy · s; ds[n, c] (overwritten, skipped when empty) = Σ_hw dy · x.</summary>
    public static void ScaleBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> s, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> ds, int n, int c, int hw)
    {
        CheckScale(dy.Length, s.Length, n, c, hw, "dy");
        KernelMath.RequireOptional(dx.Length, (long)n * c * hw, nameof(dx));
        KernelMath.RequireOptional(ds.Length, (long)n * c, nameof(ds));
        if (ds.Length != 0) KernelMath.Require(x.Length, (long)n * c * hw, nameof(x));
        // Per plane, ds is read from dy before dx is written, so dx may be dy.
        fixed (float* px = x, ps = s, pdy = dy, pdx = dx, pds = ds)
            for (var plane = 0; plane < n * c; plane++)
            {
                var at = (long)plane * hw;
                if (pds != null) pds[plane] = Dot(pdy + at, px + at, hw);
                if (pdx != null) Scale(pdy + at, pdx + at, hw, ps[plane]);
            }
    }

    // y[0..n) = x[0..n)·factor; y may be x.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scale(float* x, float* y, int n, float factor)
    {
        var f = Vector256.Create(factor);
        var i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count) (Vector256.Load(x + i) * f).Store(y + i);
        for (; i < n; i++) y[i] = x[i] * factor;
    }

    // Σ a·b over [0, n), in a fixed order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* a, float* b, int n)
    {
        var acc = Vector256<float>.Zero;
        var i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count) acc += Vector256.Load(a + i) * Vector256.Load(b + i);
        var sum = Vector256.Sum(acc);
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    private static void CheckConcat(int partLength, int totalLength, int n, int part, int total, int offset, string partName, string totalName)
    {
        KernelMath.RequireBatch(n);
        if (part < 0 || offset < 0 || (long)offset + part > total)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"A slice of {part} values at {offset} does not fit in {total}.");
        KernelMath.Require(partLength, (long)n * part, partName);
        KernelMath.Require(totalLength, (long)n * total, totalName);
    }

    // Checks the dimensions, the (N, C, HW) input (x forward, dy backward) and the scale s (N, C).
    private static void CheckScale(int inputLength, int scaleLength, int n, int c, int hw, string inputName)
    {
        KernelMath.RequireBatch(n);
        if (c < 0 || hw < 0) throw new ArgumentOutOfRangeException(c < 0 ? nameof(c) : nameof(hw), "Dimensions cannot be negative.");
        KernelMath.Require(inputLength, (long)n * c * hw, inputName);
        KernelMath.Require(scaleLength, (long)n * c, "s");
    }

    private readonly struct CopyOp : IUnaryOp
    {
        public static Vector256<float> Apply(Vector256<float> x) => x;
        public static float Apply(float x) => x;
    }

    private readonly struct AddOp : IBinaryOp
    {
        public static Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => a + b;
        public static float Apply(float a, float b) => a + b;
    }
}
