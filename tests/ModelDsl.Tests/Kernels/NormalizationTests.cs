using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// BatchNorm, LayerNorm, GroupNorm and LocalResponseNorm against NormalizationReference (double loops),
// and every backward against central differences of that reference (L = Σ r ⊙ y). Plane sizes are not
// multiples of the vector width, so vector blocks and scalar tails are both exercised; the "threaded"
// shapes are large enough to be split across the worker threads.
// Tolerances: forward rel 1e-5 + abs 1e-5·max|y|; gradients rel 1e-3 + abs 1e-4·max|grad| (differences
// of double forwards with step 1e-4; float rounding of the kernels dominates).
public class NormalizationTests
{
    private const float Eps = 1e-5f;
    private const float Prior = 0.25f;   // dgamma/dbeta start here: backward must accumulate onto it

    public delegate double[] Forward(double[] x, double[]? gamma, double[]? beta);

    private static double[]? D(float[]? v) => v is null ? null : Data.ToDouble(v);
    private static float[]? Param(bool present, int length, int seed) => present ? Data.Uniform(length, seed) : null;
    private static float[] Accumulator(float[]? param) => param is null ? [] : Enumerable.Repeat(Prior, param.Length).ToArray();

    // dx (at xIndices, all when null), and dgamma/dbeta accumulated onto Prior unless !parameters, against
    // central differences of L = Σ r ⊙ f(x, gamma, beta).
    private static void AssertGradients(Forward f, float[] x, float[]? gamma, float[]? beta, float[] r,
        float[] dx, float[] dgamma, float[] dbeta, IReadOnlyList<int>? xIndices = null, bool parameters = true, double eps = 1e-4)
    {
        double[] xd = Data.ToDouble(x), rd = Data.ToDouble(r);
        double[]? gd = D(gamma), bd = D(beta);
        var fdx = Reference.FiniteDifferences(xd, v => f(v, gd, bd), rd, xIndices, eps);
        Data.AssertClose(fdx, dx, rel: 1e-3, abs: 1e-4, indices: xIndices, what: "dx");
        if (parameters && gd is not null)
        {
            var fdg = Reference.FiniteDifferences(gd, v => f(xd, v, bd), rd, eps: eps).Select(v => v + Prior).ToArray();
            Data.AssertClose(fdg, dgamma, rel: 1e-3, abs: 1e-4, what: "dgamma");
        }
        if (parameters && bd is not null)
        {
            var fdb = Reference.FiniteDifferences(bd, v => f(xd, gd, v), rd, eps: eps).Select(v => v + Prior).ToArray();
            Data.AssertClose(fdb, dbeta, rel: 1e-3, abs: 1e-4, what: "dbeta");
        }
    }

    // ---- BatchNorm ----

    [Theory]
    [InlineData(4, 3, 10, true)]
    [InlineData(3, 2, 7, false)]
    [InlineData(20, 5, 1, true)]      // BatchNorm1d: one value per channel per sample
    [InlineData(20, 13, 1, false)]    // BatchNorm1d, channels 0…7 as vector lanes, 8…12 one by one
    [InlineData(1100, 20, 1, true)]   // BatchNorm1d, threaded
    [InlineData(16, 8, 561, true)]    // threaded
    public void BatchNormTraining_MatchesReference_AndSavesBatchMeanAndRstd(int n, int c, int hw, bool affine)
    {
        var x = Data.Uniform(n * c * hw, 1);
        var (gamma, beta) = (Param(affine, c, 2), Param(affine, c, 3));
        var (y, mean, rstd) = (Data.Garbage(x.Length), Data.Garbage(c), Data.Garbage(c));
        BatchNorm.ForwardTraining(x, gamma, beta, [], [], y, mean, rstd, n, c, hw, 0.1f, Eps);
        var expected = NormalizationReference.BatchNormTraining(Data.ToDouble(x), D(gamma), D(beta), n, c, hw, Eps);
        Data.AssertClose(expected.Y, y, rel: 1e-5, abs: 1e-5, what: "y");
        Data.AssertClose(expected.Mean, mean, rel: 1e-5, abs: 1e-6, what: "mean");
        Data.AssertClose(expected.Var.Select(v => 1 / Math.Sqrt(v + Eps)).ToArray(), rstd, rel: 1e-5, abs: 0, what: "rstd");
    }

    [Theory]
    [InlineData(4, 3, 10, true)]
    [InlineData(3, 2, 7, false)]
    [InlineData(20, 5, 1, true)]
    [InlineData(20, 13, 1, true)]
    [InlineData(1100, 20, 1, true)]
    [InlineData(16, 8, 561, true)]    // threaded; dx checked at sampled indices
    public void BatchNormBackward_MatchesFiniteDifferencesOfTheTrainingForward_BatchStatisticTermsIncluded(int n, int c, int hw, bool affine)
    {
        var x = Data.Uniform(n * c * hw, 1);
        var (gamma, beta) = (Param(affine, c, 2), Param(affine, c, 3));
        var (y, mean, rstd) = (new float[x.Length], new float[c], new float[c]);
        BatchNorm.ForwardTraining(x, gamma, beta, [], [], y, mean, rstd, n, c, hw, 0.1f, Eps);
        var r = Data.Uniform(x.Length, 4);
        var (dx, dgamma, dbeta) = (Data.Garbage(x.Length), Accumulator(gamma), Accumulator(beta));
        BatchNorm.Backward(x, gamma, mean, rstd, r, dx, dgamma, dbeta, n, c, hw);
        AssertGradients((v, g, b) => NormalizationReference.BatchNormTraining(v, g, b, n, c, hw, Eps).Y, x, gamma, beta, r,
            dx, dgamma, dbeta, Data.SampleIndices(x.Length, 30, 5));
    }

    [Fact]
    public void BatchNormRunningStatistics_AfterTwoSteps_MatchHandComputedValues_UnbiasedVarianceAndMomentum()
    {
        // (N, C, HW) = (2, 2, 2); channel ch of sample s is x[(s·2 + ch)·2 …].
        // Step 1: channel 0 holds 1, 2 | 3, 4   → mean 2.5, biased var 1.25, unbiased 5/3;
        //         channel 1 holds 10, 10 | 10, 14 → mean 11, biased var 3, unbiased 4.
        // Step 2: channel 0 holds 2, 4 | 6, 8   → mean 5, unbiased 20/3; channel 1 holds −1, 1 | −1, 1 → mean 0, unbiased 4/3.
        float[] step1 = [1, 2, 10, 10, 3, 4, 10, 14];
        float[] step2 = [2, 4, -1, 1, 6, 8, -1, 1];
        float[] runningMean = [0, 0], runningVar = [1, 1];
        var (y, mean, rstd) = (new float[8], new float[2], new float[2]);

        BatchNorm.ForwardTraining(step1, [], [], runningMean, runningVar, y, mean, rstd, 2, 2, 2, 0.1f, Eps);
        // running = 0.9·running + 0.1·batch
        Assert.Equal([0.9 * 0 + 0.1 * 2.5, 0.9 * 0 + 0.1 * 11], runningMean.Select(v => (double)v), Tolerance(1e-6));
        Assert.Equal([0.9 * 1 + 0.1 * 5.0 / 3, 0.9 * 1 + 0.1 * 4], runningVar.Select(v => (double)v), Tolerance(1e-6));
        Assert.Equal([2.5, 11], mean.Select(v => (double)v), Tolerance(1e-6));
        Assert.Equal([1 / Math.Sqrt(1.25 + Eps), 1 / Math.Sqrt(3 + Eps)], rstd.Select(v => (double)v), Tolerance(1e-6));

        BatchNorm.ForwardTraining(step2, [], [], runningMean, runningVar, y, mean, rstd, 2, 2, 2, 0.1f, Eps);
        Assert.Equal([0.9 * 0.25 + 0.1 * 5, 0.9 * 1.1 + 0.1 * 0], runningMean.Select(v => (double)v), Tolerance(1e-6));
        Assert.Equal([0.9 * (0.9 + 0.5 / 3) + 0.1 * 20.0 / 3, 0.9 * 1.3 + 0.1 * 4.0 / 3], runningVar.Select(v => (double)v), Tolerance(1e-6));
    }

    private static IEqualityComparer<double> Tolerance(double tolerance) =>
        EqualityComparer<double>.Create((a, b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a)), _ => 0);

    [Theory]
    [InlineData(4, 3, 10, true)]
    [InlineData(3, 2, 7, false)]
    [InlineData(20, 13, 1, true)]
    [InlineData(16, 8, 561, true)]
    public void BatchNormInference_NormalizesWithTheRunningStatistics_NotTheBatchStatistics(int n, int c, int hw, bool affine)
    {
        var x = Data.Uniform(n * c * hw, 1);
        var (gamma, beta) = (Param(affine, c, 2), Param(affine, c, 3));
        var runningMean = Data.Uniform(c, 4);
        var runningVar = Data.Uniform(c, 5).Select(v => 0.5f + v * v).ToArray();
        var y = Data.Garbage(x.Length);
        BatchNorm.ForwardInference(x, gamma, beta, runningMean, runningVar, y, n, c, hw, Eps);
        var expected = NormalizationReference.BatchNormInference(Data.ToDouble(x), D(gamma), D(beta),
            Data.ToDouble(runningMean), Data.ToDouble(runningVar), n, c, hw, Eps);
        Data.AssertClose(expected, y, rel: 1e-5, abs: 1e-5, what: "y");
    }

    [Fact]
    public void BatchNormTraining_WithOneValuePerChannel_IsRejected_AsInPyTorch()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            BatchNorm.ForwardTraining(new float[3], [], [], [], [], new float[3], new float[3], new float[3], 1, 3, 1, 0.1f, Eps));
        Assert.Equal("n", ex.ParamName);
    }

    [Fact]
    public void Normalizations_OfValuesFarFromZero_StayAccurate_ForwardAndBackward()
    {
        // Values 1000 ± 0.01: E[x²] − E[x]² in float would lose every digit of the variance, and the mean
        // rounded to float (ulp 6e-5) would shift x̂ by up to 0.5 %.
        const int n = 4, c = 3, hw = 50;
        var x = Data.Uniform(n * c * hw, 1).Select(v => 1000f + 0.01f * v).ToArray();
        var (gamma, beta, r) = (Data.Uniform(c, 2), Data.Uniform(c, 3), Data.Uniform(x.Length, 4));
        var (y, mean, rstd) = (new float[x.Length], new float[n * c], new float[n * c]);
        var (dx, dgamma, dbeta) = (new float[x.Length], Accumulator(gamma), Accumulator(beta));
        var indices = Data.SampleIndices(x.Length, 40, 5);

        BatchNorm.ForwardTraining(x, gamma, beta, [], [], y, mean, rstd, n, c, hw, 0.1f, Eps);
        Forward bn = (v, g, b) => NormalizationReference.BatchNormTraining(v, g, b, n, c, hw, Eps).Y;
        Data.AssertClose(bn(Data.ToDouble(x), D(gamma), D(beta)), y, rel: 1e-5, abs: 1e-5, what: "BatchNorm y");
        BatchNorm.Backward(x, gamma, mean, rstd, r, dx, dgamma, dbeta, n, c, hw);
        AssertGradients(bn, x, gamma, beta, r, dx, dgamma, dbeta, indices, eps: 1e-6);

        LayerNorm.Forward(x, [], [], y, mean, rstd, n, c * hw, Eps);
        Forward ln = (v, _, _) => NormalizationReference.LayerNorm(v, null, null, n, c * hw, Eps);
        Data.AssertClose(ln(Data.ToDouble(x), null, null), y, rel: 1e-5, abs: 1e-5, what: "LayerNorm y");
        LayerNorm.Backward(x, [], mean, rstd, r, dx, [], [], n, c * hw);
        AssertGradients(ln, x, null, null, r, dx, [], [], indices, eps: 1e-6);

        Array.Fill(dgamma, Prior);
        Array.Fill(dbeta, Prior);
        GroupNorm.Forward(x, gamma, beta, y, mean, rstd, n, c, hw, c, Eps);
        Forward gn = (v, g, b) => NormalizationReference.GroupNorm(v, g, b, n, c, hw, c, Eps);
        Data.AssertClose(gn(Data.ToDouble(x), D(gamma), D(beta)), y, rel: 1e-5, abs: 1e-5, what: "GroupNorm y");
        GroupNorm.Backward(x, gamma, mean, rstd, r, dx, dgamma, dbeta, n, c, hw, c);
        AssertGradients(gn, x, gamma, beta, r, dx, dgamma, dbeta, indices, eps: 1e-6);
    }

    // ---- LayerNorm (d = C·H·W) ----

    [Theory]
    [InlineData(3, 3 * 5 * 5, true, true)]
    [InlineData(3, 3 * 5 * 5, false, false)]
    [InlineData(2, 2 * 3 * 3, true, false)]
    [InlineData(2, 2 * 3 * 3, false, true)]
    [InlineData(8, 16 * 24 * 24, true, true)]   // threaded
    public void LayerNorm_MatchesReference_AndBackwardMatchesFiniteDifferences(int n, int d, bool hasGamma, bool hasBeta)
    {
        var x = Data.Uniform(n * d, 1);
        var (gamma, beta) = (Param(hasGamma, d, 2), Param(hasBeta, d, 3));
        var (y, mean, rstd) = (Data.Garbage(x.Length), Data.Garbage(n), Data.Garbage(n));
        LayerNorm.Forward(x, gamma, beta, y, mean, rstd, n, d, Eps);
        Data.AssertClose(NormalizationReference.LayerNorm(Data.ToDouble(x), D(gamma), D(beta), n, d, Eps), y, rel: 1e-5, abs: 1e-5, what: "y");

        var r = Data.Uniform(x.Length, 4);
        var (dx, dgamma, dbeta) = (Data.Garbage(x.Length), Accumulator(gamma), Accumulator(beta));
        LayerNorm.Backward(x, gamma, mean, rstd, r, dx, dgamma, dbeta, n, d);
        if (d > 1000)
        {
            // Differences over d parameters would cost 2·d forwards of the whole batch: dx at sampled
            // inputs, and dgamma, dbeta from their closed forms.
            AssertGradients((v, g, b) => NormalizationReference.LayerNorm(v, g, b, n, d, Eps), x, gamma, beta, r, dx, dgamma, dbeta,
                Data.SampleIndices(x.Length, 40, 5), parameters: false);
            AssertLayerNormParameterGradients(x, r, dgamma, dbeta, n, d);
        }
        else AssertGradients((v, g, b) => NormalizationReference.LayerNorm(v, g, b, n, d, Eps), x, gamma, beta, r, dx, dgamma, dbeta);
    }

    // LayerNorm's dgamma[i] = Prior + Σ_s r·x̂ and dbeta[i] = Prior + Σ_s r, from the reference's x̂ (for shapes too large for differences).
    private static void AssertLayerNormParameterGradients(float[] x, float[] r, float[] dgamma, float[] dbeta, int n, int d)
    {
        var (eg, eb) = (new double[d], new double[d]);
        var xhat = NormalizationReference.LayerNorm(Data.ToDouble(x), null, null, n, d, Eps);
        for (var s = 0; s < n; s++)
            for (var i = 0; i < d; i++)
            {
                eg[i] += r[s * d + i] * xhat[s * d + i];
                eb[i] += r[s * d + i];
            }
        Data.AssertClose(eg.Select(v => v + Prior).ToArray(), dgamma, rel: 1e-4, abs: 1e-4, what: "dgamma");
        Data.AssertClose(eb.Select(v => v + Prior).ToArray(), dbeta, rel: 1e-5, abs: 1e-5, what: "dbeta");
    }

    // ---- GroupNorm ----

    [Theory]
    [InlineData(3, 4, 9, 1, true)]    // whole sample
    [InlineData(3, 4, 9, 2, true)]
    [InlineData(3, 4, 9, 4, true)]    // instance norm
    [InlineData(2, 6, 5, 3, false)]
    [InlineData(16, 8, 576, 2, true)] // threaded; dx checked at sampled indices
    public void GroupNorm_WithGroupsOneTwoAndC_MatchesReference_AndBackwardMatchesFiniteDifferences(int n, int c, int hw, int groups, bool affine)
    {
        var x = Data.Uniform(n * c * hw, 1);
        var (gamma, beta) = (Param(affine, c, 2), Param(affine, c, 3));
        var (y, mean, rstd) = (Data.Garbage(x.Length), Data.Garbage(n * groups), Data.Garbage(n * groups));
        GroupNorm.Forward(x, gamma, beta, y, mean, rstd, n, c, hw, groups, Eps);
        Data.AssertClose(NormalizationReference.GroupNorm(Data.ToDouble(x), D(gamma), D(beta), n, c, hw, groups, Eps), y,
            rel: 1e-5, abs: 1e-5, what: "y");

        var r = Data.Uniform(x.Length, 4);
        var (dx, dgamma, dbeta) = (Data.Garbage(x.Length), Accumulator(gamma), Accumulator(beta));
        GroupNorm.Backward(x, gamma, mean, rstd, r, dx, dgamma, dbeta, n, c, hw, groups);
        var indices = x.Length > 10_000 ? Data.SampleIndices(x.Length, 40, 5) : null;
        AssertGradients((v, g, b) => NormalizationReference.GroupNorm(v, g, b, n, c, hw, groups, Eps), x, gamma, beta, r, dx, dgamma, dbeta, indices);
    }

    [Fact]
    public void GroupNorm_RejectsGroupsThatDoNotDivideTheChannels()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            GroupNorm.Forward(new float[6], [], [], new float[6], new float[3], new float[3], 1, 6, 1, 4, Eps));
    }

    // ---- LocalResponseNorm ----

    private const float Alpha = 0.5f, LrnBeta = 0.6f, K = 2f;

    [Theory]
    [InlineData(2, 7, 13, 5, LrnBeta)]   // channels 0, 1 and 5, 6 have clipped windows
    [InlineData(2, 7, 13, 4, LrnBeta)]   // even size: window c − 2 … c + 1
    [InlineData(1, 3, 9, 1, LrnBeta)]
    [InlineData(2, 7, 13, 5, 0.75f)]     // the square-root form of s^(−3/4)
    [InlineData(8, 16, 576, 5, LrnBeta)] // threaded; dx checked at sampled indices
    public void LocalResponseNorm_MatchesReference_EdgeChannelsIncluded_AndBackwardMatchesFiniteDifferences(int n, int c, int hw, int size, float beta)
    {
        var x = Data.Uniform(n * c * hw, 1).Select(v => 2 * v).ToArray();
        var (y, scale) = (Data.Garbage(x.Length), Data.Garbage(x.Length));
        LocalResponseNorm.Forward(x, y, scale, n, c, hw, size, Alpha, beta, K);
        double[] Reference(double[] v) => NormalizationReference.LocalResponseNorm(v, n, c, hw, size, Alpha, beta, K);
        Data.AssertClose(Reference(Data.ToDouble(x)), y, rel: 1e-5, abs: 1e-6, what: "y");

        var r = Data.Uniform(x.Length, 4);
        var dx = Data.Garbage(x.Length);
        LocalResponseNorm.Backward(x, scale, r, dx, n, c, hw, size, Alpha, beta);
        var indices = x.Length > 10_000 ? Data.SampleIndices(x.Length, 30, 5) : null;
        var fd = Kernels.Reference.FiniteDifferences(Data.ToDouble(x), Reference, Data.ToDouble(r), indices, eps: 1e-4);
        Data.AssertClose(fd, dx, rel: 1e-3, abs: 1e-4, indices: indices, what: "dx");
    }

    [Fact]
    public void LocalResponseNorm_WindowRunsFromCMinusHalfSizeToCPlusHalfOfSizeMinusOne()
    {
        // size 2, alpha/size = 1, beta = 1, k = 1: channel c's window is {c − 1, c} (clipped at 0), so
        // y = [1/(1 + 1), 2/(1 + 1 + 4), 3/(1 + 4 + 9)].
        float[] x = [1, 2, 3];
        var (y, scale) = (new float[3], new float[3]);
        LocalResponseNorm.Forward(x, y, scale, 1, 3, 1, 2, 2f, 1f, 1f);
        Assert.Equal([2f, 6f, 14f], scale);
        Assert.Equal([1f / 2, 2f / 6, 3f / 14], y, (a, b) => Math.Abs(a - b) <= 1e-6f);
    }
}
