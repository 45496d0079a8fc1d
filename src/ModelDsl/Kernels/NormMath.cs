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

    /// <summary>The mean as a float and the float nearest its rounding error: x − mean is taken as (x − high) − low.</summary>
    public static (float High, float Low) Split(double mean)
    {
        var high = (float)mean;
        return (high, (float)(mean - high));
    }

    /// <summary>
    /// y[i] = ((x[i] − mean) − meanLow)·rstd·gamma(i) + beta(i) for i in [0, n); y may be x. meanLow carries
    /// the mean's rounding to float, which matters when |mean| is far above the standard deviation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize<TGamma, TBeta>(float* x, float* y, int n, float mean, float meanLow, float rstd, TGamma gamma, TBeta beta)
        where TGamma : struct, INormParam where TBeta : struct, INormParam
    {
        var m = Vector256.Create(mean);
        var ml = Vector256.Create(meanLow);
        var r = Vector256.Create(rstd);
        var i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            ((Vector256.Load(x + i) - m - ml) * r * gamma.Load(i) + beta.Load(i)).Store(y + i);
        for (; i < n; i++) y[i] = (x[i] - mean - meanLow) * rstd * gamma.At(i) + beta.At(i);
    }

    /// <summary>Adds Σ gamma(i)·dy[i], Σ gamma(i)·dy[i]·(x[i] − mean) and Σ (x[i] − mean) over [0, n) to <paramref name="sums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddGradientSums<TGamma>(float* x, float* dy, int n, float mean, TGamma gamma, ref GradientSums sums)
        where TGamma : struct, INormParam
    {
        var m = Vector256.Create(mean);
        for (var b = 0; b < n; b += Block)
        {
            var end = Math.Min(n, b + Block);
            var g = Vector256<float>.Zero;
            var gd = Vector256<float>.Zero;
            var d = Vector256<float>.Zero;
            var i = b;
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var gdy = gamma.Load(i) * Vector256.Load(dy + i);
                var dev = Vector256.Load(x + i) - m;
                g += gdy;
                gd += gdy * dev;
                d += dev;
            }
            var sg = Vector256.Sum(g);
            var sgd = Vector256.Sum(gd);
            var sd = Vector256.Sum(d);
            for (; i < end; i++)
            {
                var gdy = gamma.At(i) * dy[i];
                var dev = x[i] - mean;
                sg += gdy;
                sgd += gdy * dev;
                sd += dev;
            }
            sums.G += sg;
            sums.GDev += sgd;
            sums.Dev += sd;
        }
    }

    /// <summary>
    /// dx[i] = rstd·gamma(i)·dy[i] + devCoef·((x[i] − mean) − meanLow) + shift over [0, n): the input gradient
    /// of a normalization once its set's sums are known (see <see cref="GradientSums.Coefficients"/>); dx may be dy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient<TGamma>(float* x, float* dy, float* dx, int n, float mean, float rstd, TGamma gamma,
        in InputGradientCoefficients k) where TGamma : struct, INormParam
    {
        var m = Vector256.Create(mean);
        var ml = Vector256.Create(k.MeanLow);
        var r = Vector256.Create(rstd);
        var dc = Vector256.Create(k.DevCoef);
        var sh = Vector256.Create(k.Shift);
        var i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            (r * gamma.Load(i) * Vector256.Load(dy + i) + dc * (Vector256.Load(x + i) - m - ml) + sh).Store(dx + i);
        for (; i < n; i++) dx[i] = rstd * gamma.At(i) * dy[i] + k.DevCoef * (x[i] - mean - k.MeanLow) + k.Shift;
    }

    /// <summary>dgamma[i] += dy[i]·((x[i] − mean) − meanLow)·rstd over [0, n) (a per-element gamma's gradient, one sample).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaledGradient(float* dgamma, float* x, float* dy, int n, float mean, float meanLow, float rstd)
    {
        var m = Vector256.Create(mean);
        var ml = Vector256.Create(meanLow);
        var r = Vector256.Create(rstd);
        var i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            (Vector256.Load(dgamma + i) + Vector256.Load(dy + i) * ((Vector256.Load(x + i) - m - ml) * r)).Store(dgamma + i);
        for (; i < n; i++) dgamma[i] += dy[i] * ((x[i] - mean - meanLow) * rstd);
    }

    // ---- Columns: 8 adjacent columns of a (rows, stride) matrix, one per lane (BatchNorm with HW = 1). ----

    /// <summary>Per lane: mean and biased variance of the column, two passes as <see cref="Moments"/>.</summary>
    public static void ColumnMoments(float* x, int rows, long stride, double* mean, double* variance)
    {
        var sums = stackalloc double[8];
        var squares = stackalloc double[8];
        ColumnDeviations(x, rows, stride, Vector256<float>.Zero, sums, squares);
        var center = Vector256<float>.Zero;
        for (var l = 0; l < 8; l++) center = center.WithElement(l, (float)(sums[l] / rows));
        new Span<double>(sums, 8).Clear();
        new Span<double>(squares, 8).Clear();
        ColumnDeviations(x, rows, stride, center, sums, squares);
        for (var l = 0; l < 8; l++)
        {
            mean[l] = center[l] + sums[l] / rows;
            variance[l] = Math.Max(0.0, (squares[l] - sums[l] * sums[l] / rows) / rows);
        }
    }

    /// <summary>Per row: y = ((x − mean) − meanLow)·rstd·gamma + beta, each factor one value per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NormalizeColumns(float* x, float* y, int rows, long stride, Vector256<float> mean, Vector256<float> meanLow,
        Vector256<float> rstd, Vector256<float> gamma, Vector256<float> beta)
    {
        for (var s = 0; s < rows; s++)
            ((Vector256.Load(x + s * stride) - mean - meanLow) * rstd * gamma + beta).Store(y + s * stride);
    }

    /// <summary>Per lane: adds Σdy, Σdy·(x − mean) and Σ(x − mean) over the column to <paramref name="sums"/> (8 entries).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnGradientSums(float* x, float* dy, int rows, long stride, Vector256<float> mean, GradientSums* sums)
    {
        for (var b = 0; b < rows; b += Block)
        {
            var end = Math.Min(rows, b + Block);
            var g = Vector256<float>.Zero;
            var gd = Vector256<float>.Zero;
            var d = Vector256<float>.Zero;
            for (var s = b; s < end; s++)
            {
                var gdy = Vector256.Load(dy + s * stride);
                var dev = Vector256.Load(x + s * stride) - mean;
                g += gdy;
                gd += gdy * dev;
                d += dev;
            }
            for (var l = 0; l < 8; l++)
            {
                sums[l].G += g[l];
                sums[l].GDev += gd[l];
                sums[l].Dev += d[l];
            }
        }
    }

    /// <summary>Per row: dx = rstd·gamma·dy + devCoef·((x − mean) − meanLow) + shift, each factor one value per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradientColumns(float* x, float* dy, float* dx, int rows, long stride, Vector256<float> mean,
        Vector256<float> rstdGamma, in ColumnCoefficients k)
    {
        for (var s = 0; s < rows; s++)
            (rstdGamma * Vector256.Load(dy + s * stride) + k.DevCoef * (Vector256.Load(x + s * stride) - mean - k.MeanLow) + k.Shift)
                .Store(dx + s * stride);
    }

    // Per lane: deviation += Σ (x − center), squares += Σ (x − center)² down the column, blockwise.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnDeviations(float* x, int rows, long stride, Vector256<float> center, double* deviation, double* squares)
    {
        for (var b = 0; b < rows; b += Block)
        {
            var end = Math.Min(rows, b + Block);
            var d = Vector256<float>.Zero;
            var d2 = Vector256<float>.Zero;
            for (var s = b; s < end; s++)
            {
                var v = Vector256.Load(x + s * stride) - center;
                d += v;
                d2 += v * v;
            }
            for (var l = 0; l < 8; l++)
            {
                deviation[l] += d[l];
                squares[l] += d2[l];
            }
        }
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

/// <summary>
/// Sums over one normalized set of M values for backward, about the saved float mean m: G = Σg, GDev = Σg·(x − m),
/// Dev = Σ(x − m), with g = gamma ⊙ dy. Dev/M is m's rounding error (the true mean is m + Dev/M).
/// </summary>
internal struct GradientSums
{
    public double G, GDev, Dev;

    /// <summary>These sums with g scaled by <paramref name="gamma"/> (a per-channel gamma factored out of the loop).</summary>
    public readonly GradientSums Scaled(double gamma) => new() { G = G * gamma, GDev = GDev * gamma, Dev = Dev };

    /// <summary>Σg·x̂ with x̂ = (x − true mean)·rstd: a per-channel dgamma when g = dy.</summary>
    public readonly double GXhat(double count, float rstd) => rstd * (GDev - Dev / count * G);

    /// <summary>
    /// dx = rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)) = rstd·g + devCoef·(x − mean) + shift, where
    /// devCoef = −rstd³·Σg(x − mean)/M and shift = −rstd·Σg/M are the batch-statistics terms, all about the true mean.
    /// </summary>
    public readonly InputGradientCoefficients Coefficients(double count, float rstd)
    {
        var low = Dev / count;
        var gDev = GDev - low * G;
        return new InputGradientCoefficients((float)(-(double)rstd * rstd * rstd * gDev / count), (float)(-rstd * G / count), (float)low);
    }
}

/// <summary>dx = rstd·g + DevCoef·((x − mean) − MeanLow) + Shift (see <see cref="GradientSums.Coefficients"/>).</summary>
internal readonly record struct InputGradientCoefficients(float DevCoef, float Shift, float MeanLow);

/// <summary>The <see cref="InputGradientCoefficients"/> of 8 channels, one per lane.</summary>
internal struct ColumnCoefficients
{
    public Vector256<float> DevCoef, Shift, MeanLow;

    /// <summary>Sets lane <paramref name="lane"/> to <paramref name="k"/>.</summary>
    public void Set(int lane, in InputGradientCoefficients k)
    {
        DevCoef = DevCoef.WithElement(lane, k.DevCoef);
        Shift = Shift.WithElement(lane, k.Shift);
        MeanLow = MeanLow.WithElement(lane, k.MeanLow);
    }
}
