using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelDsl.Kernels;

/// <summary>A normalization's gamma or beta as seen by one run of values: one value for the whole run, or one per element.</summary>
internal interface INormParam
{
    /// <summary>The parameters of elements i…i+7.</summary>
    Vector256<float> Load(int i);

    /// <summary>The parameter of element i.</summary>
    float At(int i);
}

/// <summary>One value for every element of a run (a per-channel gamma or beta, or the identity 1 / 0).</summary>
internal readonly struct Uniform(float value) : INormParam
{
    public Vector256<float> Load(int i) => Vector256.Create(value);
    public float At(int i) => value;
}

/// <summary>One value per element of a run (LayerNorm's gamma and beta).</summary>
internal readonly unsafe struct PerElement(float* values) : INormParam
{
    public Vector256<float> Load(int i) => Vector256.Load(values + i);
    public float At(int i) => values[i];
}

/// <summary>
/// The vectorized loops of the normalization kernels over runs of contiguous floats. Reductions add
/// Vector256 partial sums of at most <see cref="Block"/> values into a double, so rounding grows with
/// the block, not with the length of the whole reduction; summation order is fixed.
/// </summary>
internal static unsafe class NormMath
{
    private const int Block = 1024;

    /// <summary>
    /// Mean and biased variance of <paramref name="runs"/> runs of <paramref name="length"/> floats, the
    /// runs <paramref name="stride"/> floats apart. Two passes: the mean, then Σ(x − m)² about the
    /// rounded mean m, corrected by (Σ(x − m))²/count for m's rounding (no cancellation as in E[x²] − E[x]²).
    /// </summary>
    public static (double Mean, double Variance) Moments(float* x, int runs, int length, long stride)
    {
        var count = (double)runs * length;
        var sum = 0.0;
        for (var r = 0; r < runs; r++) sum += Sum(x + r * stride, length);
        var center = (float)(sum / count);
        double deviation = 0, squares = 0;
        for (var r = 0; r < runs; r++) Deviations(x + r * stride, length, center, ref deviation, ref squares);
        var variance = Math.Max(0.0, (squares - deviation * deviation / count) / count);
        return (center + deviation / count, variance);
    }

    /// <summary>1/√(variance + eps), eps inside the root, in double.</summary>
    public static float Rstd(double variance, float eps) => (float)(1.0 / Math.Sqrt(variance + eps));

    /// <summary>y[i] = (x[i] − mean)·rstd·gamma(i) + beta(i) for i in [0, n); y may be x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize<TGamma, TBeta>(float* x, float* y, int n, float mean, float rstd, TGamma gamma, TBeta beta)
        where TGamma : struct, INormParam where TBeta : struct, INormParam
    {
        var m = Vector256.Create(mean);
        var r = Vector256.Create(rstd);
        var i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            ((Vector256.Load(x + i) - m) * r * gamma.Load(i) + beta.Load(i)).Store(y + i);
        for (; i < n; i++) y[i] = (x[i] - mean) * rstd * gamma.At(i) + beta.At(i);
    }

    /// <summary>sumG += Σ gamma(i)·dy[i]; sumGDev += Σ gamma(i)·dy[i]·(x[i] − mean), over [0, n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientSums<TGamma>(float* x, float* dy, int n, float mean, TGamma gamma, ref double sumG, ref double sumGDev)
        where TGamma : struct, INormParam
    {
        var m = Vector256.Create(mean);
        for (var b = 0; b < n; b += Block)
        {
            var end = Math.Min(n, b + Block);
            var g = Vector256<float>.Zero;
            var gd = Vector256<float>.Zero;
            var i = b;
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var gdy = gamma.Load(i) * Vector256.Load(dy + i);
                g += gdy;
                gd += gdy * (Vector256.Load(x + i) - m);
            }
            var sg = Vector256.Sum(g);
            var sgd = Vector256.Sum(gd);
            for (; i < end; i++)
            {
                var gdy = gamma.At(i) * dy[i];
                sg += gdy;
                sgd += gdy * (x[i] - mean);
            }
            sumG += sg;
            sumGDev += sgd;
        }
    }

    /// <summary>
    /// dx[i] = rstd·gamma(i)·dy[i] + devCoef·(x[i] − mean) + shift over [0, n): the input gradient of a
    /// normalization once its run sums are known (see <see cref="InputGradientCoefficients"/>); dx may be dy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient<TGamma>(float* x, float* dy, float* dx, int n, float mean, float rstd, TGamma gamma,
        float devCoef, float shift) where TGamma : struct, INormParam
    {
        var m = Vector256.Create(mean);
        var r = Vector256.Create(rstd);
        var dc = Vector256.Create(devCoef);
        var sh = Vector256.Create(shift);
        var i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            (r * gamma.Load(i) * Vector256.Load(dy + i) + dc * (Vector256.Load(x + i) - m) + sh).Store(dx + i);
        for (; i < n; i++) dx[i] = rstd * gamma.At(i) * dy[i] + devCoef * (x[i] - mean) + shift;
    }

    /// <summary>
    /// With g = gamma ⊙ dy and x̂ = (x − mean)·rstd over a normalized set of <paramref name="count"/> values,
    /// dx = rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)) = rstd·g + devCoef·(x − mean) + shift, where
    /// devCoef = −rstd³·Σg(x − mean)/count and shift = −rstd·Σg/count (the batch-statistics terms).
    /// </summary>
    public static (float DevCoef, float Shift) InputGradientCoefficients(double sumG, double sumGDev, double count, float rstd) =>
        ((float)(-(double)rstd * rstd * rstd * sumGDev / count), (float)(-rstd * sumG / count));

    /// <summary>dgamma[i] += dy[i]·(x[i] − mean)·rstd over [0, n) (a per-element gamma's gradient, one sample).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaledGradient(float* dgamma, float* x, float* dy, int n, float mean, float rstd)
    {
        var m = Vector256.Create(mean);
        var r = Vector256.Create(rstd);
        var i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            (Vector256.Load(dgamma + i) + Vector256.Load(dy + i) * ((Vector256.Load(x + i) - m) * r)).Store(dgamma + i);
        for (; i < n; i++) dgamma[i] += dy[i] * ((x[i] - mean) * rstd);
    }

    // Σ x[0..n), blockwise.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Sum(float* x, int n)
    {
        var total = 0.0;
        for (var b = 0; b < n; b += Block)
        {
            var end = Math.Min(n, b + Block);
            var acc = Vector256<float>.Zero;
            var i = b;
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count) acc += Vector256.Load(x + i);
            var s = Vector256.Sum(acc);
            for (; i < end; i++) s += x[i];
            total += s;
        }
        return total;
    }

    // deviation += Σ (x − center), squares += Σ (x − center)² over [0, n), blockwise.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Deviations(float* x, int n, float center, ref double deviation, ref double squares)
    {
        var c = Vector256.Create(center);
        for (var b = 0; b < n; b += Block)
        {
            var end = Math.Min(n, b + Block);
            var d = Vector256<float>.Zero;
            var d2 = Vector256<float>.Zero;
            var i = b;
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.Load(x + i) - c;
                d += v;
                d2 += v * v;
            }
            var s = Vector256.Sum(d);
            var s2 = Vector256.Sum(d2);
            for (; i < end; i++)
            {
                var v = x[i] - center;
                s += v;
                s2 += v * v;
            }
            deviation += s;
            squares += s2;
        }
    }
}
