namespace ModelDsl.Tests.Kernels;

/// <summary>Straightforward double-precision loops that the float kernels are checked against.</summary>
public static class Reference
{
    /// <summary>y (N, K, OH, OW) = x ⋆ w + b, zeros outside the input.</summary>
    public static double[] Conv(ConvDims d, int n, double[] x, double[] w, double[]? b)
    {
        var y = new double[n * d.OutputSize];
        for (var s = 0; s < n; s++)
            for (var k = 0; k < d.K; k++)
                for (var oh = 0; oh < d.OH; oh++)
                    for (var ow = 0; ow < d.OW; ow++)
                    {
                        var sum = b is null ? 0.0 : b[k];
                        for (var c = 0; c < d.C; c++)
                            for (var i = 0; i < d.KH; i++)
                                for (var j = 0; j < d.KW; j++)
                                {
                                    var ih = oh * d.SH + i - d.PadTop;
                                    var iw = ow * d.SW + j - d.PadLeft;
                                    if (ih < 0 || ih >= d.H || iw < 0 || iw >= d.W) continue;
                                    sum += w[((k * d.C + c) * d.KH + i) * d.KW + j] * x[((s * d.C + c) * d.H + ih) * d.W + iw];
                                }
                        y[((s * d.K + k) * d.OH + oh) * d.OW + ow] = sum;
                    }
        return y;
    }

    /// <summary>Gradients of L = Σ dy ⊙ Conv(x, w, b): (dx, dw, db), by direct loops.</summary>
    public static (double[] Dx, double[] Dw, double[] Db) ConvBackward(ConvDims d, int n, double[] x, double[] w, double[] dy)
    {
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[d.K];
        for (var s = 0; s < n; s++)
            for (var k = 0; k < d.K; k++)
                for (var oh = 0; oh < d.OH; oh++)
                    for (var ow = 0; ow < d.OW; ow++)
                    {
                        var g = dy[((s * d.K + k) * d.OH + oh) * d.OW + ow];
                        db[k] += g;
                        for (var c = 0; c < d.C; c++)
                            for (var i = 0; i < d.KH; i++)
                                for (var j = 0; j < d.KW; j++)
                                {
                                    var ih = oh * d.SH + i - d.PadTop;
                                    var iw = ow * d.SW + j - d.PadLeft;
                                    if (ih < 0 || ih >= d.H || iw < 0 || iw >= d.W) continue;
                                    var xi = ((s * d.C + c) * d.H + ih) * d.W + iw;
                                    var wi = ((k * d.C + c) * d.KH + i) * d.KW + j;
                                    dx[xi] += w[wi] * g;
                                    dw[wi] += x[xi] * g;
                                }
                    }
        return (dx, dw, db);
    }

    /// <summary>y (N, Out) = x (N, In) · wᵀ + b.</summary>
    public static double[] Dense(int inputs, int outputs, int n, double[] x, double[] w, double[]? b)
    {
        var y = new double[n * outputs];
        for (var s = 0; s < n; s++)
            for (var o = 0; o < outputs; o++)
            {
                var sum = b is null ? 0.0 : b[o];
                for (var i = 0; i < inputs; i++) sum += x[s * inputs + i] * w[o * inputs + i];
                y[s * outputs + o] = sum;
            }
        return y;
    }

    /// <summary>Window maxima over the cells inside the plane.</summary>
    public static double[] MaxPool(PoolDims d, int n, double[] x) => Pool(d, n, x, max: true);

    /// <summary>Window sums over the cells inside the plane, divided by KH·KW.</summary>
    public static double[] AvgPool(PoolDims d, int n, double[] x) => Pool(d, n, x, max: false);

    private static double[] Pool(PoolDims d, int n, double[] x, bool max)
    {
        var y = new double[n * d.OutputSize];
        for (var plane = 0; plane < n * d.C; plane++)
            for (var oh = 0; oh < d.OH; oh++)
                for (var ow = 0; ow < d.OW; ow++)
                {
                    var acc = max ? double.NegativeInfinity : 0.0;
                    for (var i = 0; i < d.KH; i++)
                        for (var j = 0; j < d.KW; j++)
                        {
                            var ih = oh * d.SH + i - d.PadTop;
                            var iw = ow * d.SW + j - d.PadLeft;
                            if (ih < 0 || ih >= d.H || iw < 0 || iw >= d.W) continue;
                            var v = x[(plane * d.H + ih) * d.W + iw];
                            acc = max ? Math.Max(acc, v) : acc + v;
                        }
                    y[(plane * d.OH + oh) * d.OW + ow] = max ? acc : acc / (d.KH * d.KW);
                }
        return y;
    }

    /// <summary>Softmax over c at each (sample, inner position).</summary>
    public static double[] Softmax(int n, int c, int inner, double[] x)
    {
        var y = new double[x.Length];
        for (var s = 0; s < n; s++)
            for (var q = 0; q < inner; q++)
            {
                var max = double.NegativeInfinity;
                for (var ch = 0; ch < c; ch++) max = Math.Max(max, x[(s * c + ch) * inner + q]);
                var sum = 0.0;
                for (var ch = 0; ch < c; ch++) sum += Math.Exp(x[(s * c + ch) * inner + q] - max);
                for (var ch = 0; ch < c; ch++) y[(s * c + ch) * inner + q] = Math.Exp(x[(s * c + ch) * inner + q] - max) / sum;
            }
        return y;
    }

    /// <summary>
    /// ∂L/∂v[i] by central differences of L = Σ r ⊙ f(v) in double precision, at the given indices
    /// (all when null), with step <paramref name="eps"/>.
    /// </summary>
    public static double[] FiniteDifferences(double[] v, Func<double[], double[]> f, double[] r, IReadOnlyList<int>? indices = null, double eps = 1e-3)
    {
        var grad = new double[v.Length];
        var probe = (double[])v.Clone();
        foreach (var i in indices ?? Enumerable.Range(0, v.Length).ToArray())
        {
            probe[i] = v[i] + eps;
            var plus = Dot(r, f(probe));
            probe[i] = v[i] - eps;
            var minus = Dot(r, f(probe));
            probe[i] = v[i];
            grad[i] = (plus - minus) / (2 * eps);
        }
        return grad;
    }

    public static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}

/// <summary>Random data and tolerant comparisons.</summary>
public static class Data
{
    /// <summary>Uniform values in [−1, 1) from a fixed seed.</summary>
    public static float[] Uniform(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < values.Length; i++) values[i] = (float)(2 * random.NextDouble() - 1);
        return values;
    }

    /// <summary>Distinct values (gaps ≥ 0.01) in random order, so max-pooling has no near ties.</summary>
    public static float[] Distinct(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++) values[i] = (i - length / 2) * 0.01f;
        random.Shuffle(values);
        return values;
    }

    /// <summary>An array of <paramref name="length"/> NaNs (a buffer that must be overwritten).</summary>
    public static float[] Garbage(int length) => Enumerable.Repeat(float.NaN, length).ToArray();

    public static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);

    /// <summary>Up to <paramref name="count"/> distinct indices below <paramref name="length"/> (all when fewer), fixed by the seed.</summary>
    public static int[] SampleIndices(int length, int count, int seed)
    {
        if (length <= count) return Enumerable.Range(0, length).ToArray();
        var all = Enumerable.Range(0, length).ToArray();
        new Random(seed).Shuffle(all);
        return all[..count];
    }

    /// <summary>
    /// Asserts |actual − expected| ≤ rel·|expected| + abs·max(1, max|expected|) at every index (or at
    /// <paramref name="indices"/>), naming the first index that fails.
    /// </summary>
    public static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double rel = 1e-4, double abs = 1e-5,
        IReadOnlyList<int>? indices = null, string what = "value")
    {
        Assert.True(actual.Length >= expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        var scale = Math.Max(1.0, expected.Length == 0 ? 0 : expected.Max(Math.Abs));
        var count = indices?.Count ?? expected.Length;
        for (var t = 0; t < count; t++)
        {
            var i = indices?[t] ?? t;
            var tolerance = rel * Math.Abs(expected[i]) + abs * scale;
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
                Assert.Fail($"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R} (tolerance {tolerance:G3})");
        }
    }
}
