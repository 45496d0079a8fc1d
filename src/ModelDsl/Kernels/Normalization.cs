using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelDsl.Kernels;

// Normalization layers. x is (N, C, HW) with HW = H·W (1 for flat inputs). Statistics saved by forward
// for backward: mean and rstd = 1/√(var + eps), var the biased (population) variance. Affine
// parameters gamma (scale) and beta (shift) may be empty: then gamma = 1, beta = 0, and their
// gradients are skipped. Backward: dx overwritten (it must not be x or dy), dgamma/dbeta accumulated (+=).
//
// Dimension legend: N batch, C channels, HW positions per channel, G groups, CG = C/G channels per
// group, D = C·HW values per sample (LayerNorm), M values in one normalized set (N·HW for BatchNorm,
// D for LayerNorm, CG·HW for GroupNorm). With g = gamma ⊙ dy and x̂ = (x − mean)·rstd, every backward
// is dx = rstd·(g − mean_M(g) − x̂·mean_M(g ⊙ x̂)) (GradientSums.Coefficients): sums over
// each set, then one pass. The mean is saved as a float; where |mean| ≫ std its rounding would shift
// every x̂, so forward normalizes with the double mean (split into float high and low parts) and
// backward recovers the low part from Σ(x − mean). Work is split across threads by whole sets
// (channels for BatchNorm, samples or (sample, group) rows for the others), so no two threads write
// the same value.

/// <summary>Batch normalization (Ioffe &amp; Szegedy 2015), PyTorch's BatchNorm1d/2d semantics, per channel over N·HW values.</summary>
/// <remarks>
/// runningMean and runningVar may be empty (no running statistics kept). A training batch of zero samples
/// changes nothing; one with a single value per channel (N·HW = 1) is rejected, as PyTorch does.
/// </remarks>
public static unsafe partial class BatchNorm
{
    /// <summary>
    /// Training: normalizes with the batch's mean and biased variance per channel (saved in mean (C), rstd (C)),
    /// then updates the running statistics: running = (1 − momentum)·running + momentum·batch, using the
    /// unbiased variance (N·HW/(N·HW − 1)) for runningVar, as PyTorch does.
    /// </summary>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> runningMean, Span<float> runningVar, Span<float> y, Span<float> mean, Span<float> rstd,
        int n, int c, int hw, float momentum, float eps)
    {
        NormShape.Check(x.Length, y.Length, n, c, hw);
        NormShape.CheckAffine(gamma.Length, beta.Length, c);
        KernelMath.RequireOptional(runningMean.Length, c, nameof(runningMean));
        KernelMath.RequireOptional(runningVar.Length, c, nameof(runningVar));
        KernelMath.Require(mean.Length, c, nameof(mean));
        KernelMath.Require(rstd.Length, c, nameof(rstd));
        if (n == 0 || c == 0 || hw == 0) return;
        if ((long)n * hw < 2)
            throw new ArgumentException("BatchNorm training needs more than one value per channel (N·HW ≥ 2).", nameof(n));
        fixed (float* px = x, pg = gamma, pb = beta, prm = runningMean, prv = runningVar, py = y, pm = mean, pr = rstd)
        {
            var kernel = new TrainingKernel(new ChannelSets(px, py, pg, pb, n, c, hw), prm, prv, pm, pr, momentum, eps);
            ParallelRanges.Run(kernel, c, 3L * n * c * hw);
        }
    }

    /// <summary>Inference: y = gamma·(x − runningMean)/√(runningVar + eps) + beta.</summary>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y,
        int n, int c, int hw, float eps)
    {
        NormShape.Check(x.Length, y.Length, n, c, hw);
        NormShape.CheckAffine(gamma.Length, beta.Length, c);
        KernelMath.Require(runningMean.Length, c, nameof(runningMean));
        KernelMath.Require(runningVar.Length, c, nameof(runningVar));
        fixed (float* px = x, pg = gamma, pb = beta, prm = runningMean, prv = runningVar, py = y)
            ParallelRanges.Run(new InferenceKernel(new ChannelSets(px, py, pg, pb, n, c, hw), prm, prv, eps), c, 2L * n * c * hw);
    }

    /// <summary>Backward of <see cref="ForwardTraining"/> (batch statistics depend on x).</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta,
        int n, int c, int hw)
    {
        NormShape.CheckBackward(x.Length, dy.Length, dx.Length, n, c, hw);
        NormShape.CheckAffine(gamma.Length, 0, c);
        NormShape.CheckAffine(dgamma.Length, dbeta.Length, c, "dgamma", "dbeta");
        KernelMath.Require(mean.Length, c, nameof(mean));
        KernelMath.Require(rstd.Length, c, nameof(rstd));
        if (n == 0 || hw == 0) return;
        fixed (float* px = x, pg = gamma, pm = mean, pr = rstd, pdy = dy, pdx = dx, pdg = dgamma, pdb = dbeta)
            ParallelRanges.Run(new BackwardKernel(new ChannelSets(px, pdx, pg, null, n, c, hw), pdy, pm, pr, pdg, pdb), c, 3L * n * c * hw);
    }

    // Channel ch's values: N runs of HW floats at (s·C + ch)·HW. Input is x (N, C, HW); Output is y or dx
    // (N, C, HW); Gamma, Beta (C) or null.
    private readonly struct ChannelSets(float* input, float* output, float* gamma, float* beta, int n, int c, int hw)
    {
        public readonly float* Input = input, Output = output, Gamma = gamma, Beta = beta;
        public readonly int N = n, C = c, HW = hw;

        public long Stride => (long)C * HW;
        public float GammaOf(int ch) => Gamma == null ? 1f : Gamma[ch];

        // With HW = 1 a channel is a column of the (N, C) matrix: channels ch…ch+7 go together, one per lane.
        public bool Columns => HW == 1;
        public Vector256<float> GammaColumns(int ch) => Gamma == null ? Vector256<float>.One : Vector256.Load(Gamma + ch);
        public Vector256<float> BetaColumns(int ch) => Beta == null ? Vector256<float>.Zero : Vector256.Load(Beta + ch);

        // y = (x − mean − meanLow)·rstd·gamma[ch] + beta[ch] over channel ch.
        public void Normalize(int ch, float mean, float meanLow, float rstd)
        {
            var gamma = new Uniform(GammaOf(ch));
            var beta = new Uniform(Beta == null ? 0f : Beta[ch]);
            for (var s = 0; s < N; s++)
            {
                var offset = s * Stride + (long)ch * HW;
                NormMath.Normalize(Input + offset, Output + offset, HW, mean, meanLow, rstd, gamma, beta);
            }
        }
    }

    private readonly struct TrainingKernel(ChannelSets sets, float* runningMean, float* runningVar, float* mean, float* rstd,
        float momentum, float eps) : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            var ch = begin;
            if (sets.Columns)
            {
                var mu = stackalloc double[8];
                var variance = stackalloc double[8];
                for (; ch + 8 <= end; ch += 8)
                {
                    NormMath.ColumnMoments(sets.Input + ch, sets.N, sets.C, mu, variance);
                    var low = Vector256<float>.Zero;
                    for (var l = 0; l < 8; l++) low = low.WithElement(l, Finish(ch + l, mu[l], variance[l]));
                    NormMath.NormalizeColumns(sets.Input + ch, sets.Output + ch, sets.N, sets.C, Vector256.Load(mean + ch), low,
                        Vector256.Load(rstd + ch), sets.GammaColumns(ch), sets.BetaColumns(ch));
                }
            }
            for (; ch < end; ch++)
            {
                var (mu, variance) = NormMath.Moments(sets.Input + (long)ch * sets.HW, sets.N, sets.HW, sets.Stride);
                var low = Finish(ch, mu, variance);
                sets.Normalize(ch, mean[ch], low, rstd[ch]);
            }
        }

        // Saves channel ch's mean and rstd, updates its running statistics; returns the mean's float rounding error.
        private float Finish(int ch, double mu, double variance)
        {
            double count = (long)sets.N * sets.HW;
            var (high, low) = NormMath.Split(mu);
            mean[ch] = high;
            rstd[ch] = NormMath.Rstd(variance, eps);
            if (runningMean != null) runningMean[ch] = (float)((1.0 - momentum) * runningMean[ch] + momentum * mu);
            if (runningVar != null)
                runningVar[ch] = (float)((1.0 - momentum) * runningVar[ch] + momentum * variance * count / (count - 1));
            return low;
        }
    }

    private readonly struct InferenceKernel(ChannelSets sets, float* runningMean, float* runningVar, float eps) : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        public void Run(int begin, int end, Scratch scratch)
        {
            var ch = begin;
            if (sets.Columns)
                for (; ch + 8 <= end; ch += 8)
                {
                    var r = Vector256<float>.Zero;
                    for (var l = 0; l < 8; l++) r = r.WithElement(l, NormMath.Rstd(runningVar[ch + l], eps));
                    NormMath.NormalizeColumns(sets.Input + ch, sets.Output + ch, sets.N, sets.C, Vector256.Load(runningMean + ch),
                        Vector256<float>.Zero, r, sets.GammaColumns(ch), sets.BetaColumns(ch));
                }
            for (; ch < end; ch++) sets.Normalize(ch, runningMean[ch], 0f, NormMath.Rstd(runningVar[ch], eps));
        }
    }

    // sets.Output is dx; dy (N, C, HW); mean, rstd (C) from the training forward; dgamma, dbeta (C) or null.
    private readonly struct BackwardKernel(ChannelSets sets, float* dy, float* mean, float* rstd, float* dgamma, float* dbeta)
        : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            var ch = begin;
            if (sets.Columns)
            {
                var sums = stackalloc GradientSums[8];
                for (; ch + 8 <= end; ch += 8)
                {
                    new Span<GradientSums>(sums, 8).Clear();
                    NormMath.ColumnGradientSums(sets.Input + ch, dy + ch, sets.N, sets.C, Vector256.Load(mean + ch), sums);
                    var k = default(ColumnCoefficients);
                    for (var l = 0; l < 8; l++) k.Set(l, Finish(ch + l, sums[l]));
                    NormMath.InputGradientColumns(sets.Input + ch, dy + ch, sets.Output + ch, sets.N, sets.C, Vector256.Load(mean + ch),
                        Vector256.Load(rstd + ch) * sets.GammaColumns(ch), k);
                }
            }
            for (; ch < end; ch++)
            {
                // The channel's sums with g = dy; gamma[ch] factors out of them.
                var sums = default(GradientSums);
                for (var s = 0; s < sets.N; s++)
                {
                    var offset = s * sets.Stride + (long)ch * sets.HW;
                    NormMath.AddGradientSums(sets.Input + offset, dy + offset, sets.HW, mean[ch], new Uniform(1f), ref sums);
                }
                var k = Finish(ch, sums);
                var g = sets.GammaOf(ch);
                for (var s = 0; s < sets.N; s++)
                {
                    var offset = s * sets.Stride + (long)ch * sets.HW;
                    NormMath.InputGradient(sets.Input + offset, dy + offset, sets.Output + offset, sets.HW, mean[ch], rstd[ch], new Uniform(g), k);
                }
            }
        }

        // Accumulates channel ch's dgamma and dbeta from its sums (g = dy); returns its dx coefficients (g = gamma[ch]·dy).
        private InputGradientCoefficients Finish(int ch, in GradientSums sums)
        {
            double count = (long)sets.N * sets.HW;
            if (dgamma != null) dgamma[ch] += (float)sums.GXhat(count, rstd[ch]);
            if (dbeta != null) dbeta[ch] += (float)sums.G;
            return sums.Scaled(sets.GammaOf(ch)).Coefficients(count, rstd[ch]);
        }
    }
}

/// <summary>Layer normalization (Ba et al. 2016) over the d = C·H·W values of each sample, with per-element gamma/beta (d), as PyTorch's LayerNorm([C, H, W]).</summary>
public static unsafe class LayerNorm
{
    /// <summary>y = gamma ⊙ (x − mean)·rstd + beta per sample; mean (N) and rstd (N) saved.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> mean, Span<float> rstd, int n, int d, float eps)
    {
        NormShape.Check(x.Length, y.Length, n, 1, d);
        NormShape.CheckAffine(gamma.Length, beta.Length, d);
        KernelMath.Require(mean.Length, n, nameof(mean));
        KernelMath.Require(rstd.Length, n, nameof(rstd));
        if (d == 0) return;
        fixed (float* px = x, pg = gamma, pb = beta, py = y, pm = mean, pr = rstd)
            ParallelRanges.Run(new ForwardKernel(px, pg, pb, py, pm, pr, d, eps), n, 3L * n * d);
    }

    /// <summary>Backward: dx overwritten; dgamma (d), dbeta (d) accumulated.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int n, int d)
    {
        NormShape.CheckBackward(x.Length, dy.Length, dx.Length, n, 1, d);
        NormShape.CheckAffine(gamma.Length, 0, d);
        NormShape.CheckAffine(dgamma.Length, dbeta.Length, d, "dgamma", "dbeta");
        KernelMath.Require(mean.Length, n, nameof(mean));
        KernelMath.Require(rstd.Length, n, nameof(rstd));
        if (n == 0 || d == 0) return;
        // meanLow (N): each sample's mean rounding error, found by the first kernel, used by the second.
        var meanLow = WorkerPool.ThreadScratch.Partials(n);
        fixed (float* px = x, pg = gamma, pm = mean, pr = rstd, pdy = dy, pdx = dx, pdg = dgamma, pdb = dbeta)
        {
            var stats = new SampleStats(pm, meanLow, pr);
            ParallelRanges.Run(new InputGradientKernel(px, pg, stats, pdy, pdx, d), n, 3L * n * d);
            if (pdg != null || pdb != null)
                ParallelRanges.Run(new ParameterGradientKernel(px, stats, pdy, pdg, pdb, n, d), d, 2L * n * d);
        }
    }

    // x, y (N, D); gamma, beta (D) or null; mean, rstd (N) saved for backward.
    private readonly struct ForwardKernel(float* x, float* gamma, float* beta, float* y, float* mean, float* rstd, int d, float eps)
        : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        public void Run(int begin, int end, Scratch scratch)
        {
            for (var s = begin; s < end; s++)
            {
                var (mu, variance) = NormMath.Moments(x + (long)s * d, 1, d, 0);
                var (high, low) = NormMath.Split(mu);
                mean[s] = high;
                rstd[s] = NormMath.Rstd(variance, eps);
                Normalize(x + (long)s * d, y + (long)s * d, high, low, rstd[s]);
            }
        }

        // One generic instantiation per present/absent combination of gamma and beta.
        private void Normalize(float* xs, float* ys, float mu, float low, float r)
        {
            if (gamma != null && beta != null) NormMath.Normalize(xs, ys, d, mu, low, r, new PerElement(gamma), new PerElement(beta));
            else if (gamma != null) NormMath.Normalize(xs, ys, d, mu, low, r, new PerElement(gamma), new Uniform(0f));
            else if (beta != null) NormMath.Normalize(xs, ys, d, mu, low, r, new Uniform(1f), new PerElement(beta));
            else NormMath.Normalize(xs, ys, d, mu, low, r, new Uniform(1f), new Uniform(0f));
        }
    }

    // Per sample (N): Mean and Rstd saved by forward, MeanLow the mean's rounding error (written by InputGradientKernel).
    private readonly struct SampleStats(float* mean, float* meanLow, float* rstd)
    {
        public readonly float* Mean = mean, MeanLow = meanLow, Rstd = rstd;
    }

    // dx (N, D) per sample, from x, dy (N, D), gamma (D) or null; also writes stats.MeanLow.
    private readonly struct InputGradientKernel(float* x, float* gamma, SampleStats stats, float* dy, float* dx, int d)
        : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        public void Run(int begin, int end, Scratch scratch)
        {
            for (var s = begin; s < end; s++)
            {
                if (gamma != null) Sample(s, new PerElement(gamma));
                else Sample(s, new Uniform(1f));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Sample<TGamma>(int s, TGamma g) where TGamma : struct, INormParam
        {
            var offset = (long)s * d;
            var sums = default(GradientSums);
            NormMath.AddGradientSums(x + offset, dy + offset, d, stats.Mean[s], g, ref sums);
            var k = sums.Coefficients(d, stats.Rstd[s]);
            stats.MeanLow[s] = k.MeanLow;
            NormMath.InputGradient(x + offset, dy + offset, dx + offset, d, stats.Mean[s], stats.Rstd[s], g, k);
        }
    }

    // dgamma[i] += Σ_s dy·x̂, dbeta[i] += Σ_s dy, split over element ranges [begin, end) of D (each thread owns its elements).
    private readonly struct ParameterGradientKernel(float* x, SampleStats stats, float* dy, float* dgamma, float* dbeta, int n, int d)
        : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        public void Run(int begin, int end, Scratch scratch)
        {
            for (var s = 0; s < n; s++)
            {
                var offset = (long)s * d + begin;
                if (dgamma != null)
                    NormMath.AddScaledGradient(dgamma + begin, x + offset, dy + offset, end - begin, stats.Mean[s], stats.MeanLow[s], stats.Rstd[s]);
                if (dbeta != null) KernelMath.Add(dbeta + begin, dy + offset, end - begin);
            }
        }
    }
}

/// <summary>
/// Group normalization (Wu &amp; He 2018): channels split into G groups, each sample's group normalized over its
/// (C/G)·HW values; per-channel gamma/beta (C). G = C is instance normalization, G = 1 normalizes each sample whole.
/// </summary>
public static unsafe class GroupNorm
{
    /// <summary>y = gamma[c]·(x − mean[n, g])·rstd[n, g] + beta[c]; mean and rstd (N·G) saved.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> mean, Span<float> rstd, int n, int c, int hw, int groups, float eps)
    {
        NormShape.Check(x.Length, y.Length, n, c, hw);
        CheckGroups(c, groups);
        NormShape.CheckAffine(gamma.Length, beta.Length, c);
        KernelMath.Require(mean.Length, (long)n * groups, nameof(mean));
        KernelMath.Require(rstd.Length, (long)n * groups, nameof(rstd));
        if (hw == 0) return;
        fixed (float* px = x, pg = gamma, pb = beta, py = y, pm = mean, pr = rstd)
            ParallelRanges.Run(new ForwardKernel(new GroupRows(px, py, pg, groups, c / groups, hw), pb, pm, pr, eps), n * groups, 3L * n * c * hw);
    }

    /// <summary>Backward: dx overwritten; dgamma (C), dbeta (C) accumulated.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int n, int c, int hw, int groups)
    {
        NormShape.CheckBackward(x.Length, dy.Length, dx.Length, n, c, hw);
        CheckGroups(c, groups);
        NormShape.CheckAffine(gamma.Length, 0, c);
        NormShape.CheckAffine(dgamma.Length, dbeta.Length, c, "dgamma", "dbeta");
        KernelMath.Require(mean.Length, (long)n * groups, nameof(mean));
        KernelMath.Require(rstd.Length, (long)n * groups, nameof(rstd));
        if (n == 0 || hw == 0) return;
        // sums (N, C, 2): Σdy and Σdy·(x − mean) over each (sample, channel) run, written by the row that owns
        // the channel, then reduced over samples here into dgamma/dbeta (fixed order, whatever the threads).
        var sums = WorkerPool.ThreadScratch.Partials(2 * n * c);
        fixed (float* px = x, pg = gamma, pm = mean, pr = rstd, pdy = dy, pdx = dx, pdg = dgamma, pdb = dbeta)
        {
            var rows = new GroupRows(px, pdx, pg, groups, c / groups, hw);
            ParallelRanges.Run(new BackwardKernel(rows, pdy, pm, pr, sums), n * groups, 3L * n * c * hw);
            for (var ch = 0; ch < c; ch++)
            {
                double sumDy = 0, sumDyXhat = 0;
                for (var s = 0; s < n; s++)
                {
                    sumDy += sums[2 * (s * c + ch)];
                    sumDyXhat += sums[2 * (s * c + ch) + 1] * (double)pr[s * groups + ch / rows.CG];
                }
                if (pdg != null) pdg[ch] += (float)sumDyXhat;
                if (pdb != null) pdb[ch] += (float)sumDy;
            }
        }
    }

    private static void CheckGroups(int c, int groups)
    {
        if (groups <= 0 || c % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"The {c} channels cannot be split into {groups} equal groups.");
    }

    // Row r = s·G + g is sample s's group g: CG·HW contiguous floats at r·CG·HW, its k-th channel
    // ch = g·CG + k at offset k·HW (and s·C + ch = r·CG + k). Input is x (N, C, HW); Output is y or dx
    // (N, C, HW); Gamma (C) or null.
    private readonly struct GroupRows(float* input, float* output, float* gamma, int groups, int cg, int hw)
    {
        public readonly float* Input = input, Output = output, Gamma = gamma;
        public readonly int Groups = groups, CG = cg, HW = hw;

        public int Length => CG * HW;
        public long Offset(int row) => (long)row * CG * HW;
        public int Channel(int row, int k) => row % Groups * CG + k;
        public float GammaOf(int ch) => Gamma == null ? 1f : Gamma[ch];
    }

    // mean, rstd (N·G) saved for backward; beta (C) or null.
    private readonly struct ForwardKernel(GroupRows rows, float* beta, float* mean, float* rstd, float eps) : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        public void Run(int begin, int end, Scratch scratch)
        {
            for (var r = begin; r < end; r++)
            {
                var (mu, variance) = NormMath.Moments(rows.Input + rows.Offset(r), 1, rows.Length, 0);
                var (high, low) = NormMath.Split(mu);
                mean[r] = high;
                rstd[r] = NormMath.Rstd(variance, eps);
                for (var k = 0; k < rows.CG; k++)
                {
                    var ch = rows.Channel(r, k);
                    var offset = rows.Offset(r) + (long)k * rows.HW;
                    NormMath.Normalize(rows.Input + offset, rows.Output + offset, rows.HW, high, low, rstd[r],
                        new Uniform(rows.GammaOf(ch)), new Uniform(beta == null ? 0f : beta[ch]));
                }
            }
        }
    }

    // rows.Output is dx; dy (N, C, HW); mean, rstd (N·G); sums (N, C, 2) written for the caller's dgamma/dbeta.
    private readonly struct BackwardKernel(GroupRows rows, float* dy, float* mean, float* rstd, float* sums) : IRangeKernel
    {
        public void Reserve(Scratch scratch) { }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            for (var r = begin; r < end; r++)
            {
                // Each channel's sums with g = dy, stored; the row's sums weight them by gamma[ch].
                var row = default(GradientSums);
                for (var k = 0; k < rows.CG; k++)
                {
                    var offset = rows.Offset(r) + (long)k * rows.HW;
                    var channel = default(GradientSums);
                    NormMath.AddGradientSums(rows.Input + offset, dy + offset, rows.HW, mean[r], new Uniform(1f), ref channel);
                    var at = 2 * ((long)r * rows.CG + k);
                    sums[at] = (float)channel.G;
                    sums[at + 1] = (float)channel.GDev;
                    var scaled = channel.Scaled(rows.GammaOf(rows.Channel(r, k)));
                    row.G += scaled.G;
                    row.GDev += scaled.GDev;
                    row.Dev += scaled.Dev;
                }
                var coefficients = row.Coefficients(rows.Length, rstd[r]);
                var low = row.Dev / rows.Length;
                for (var k = 0; k < rows.CG; k++)
                {
                    var offset = rows.Offset(r) + (long)k * rows.HW;
                    var at = 2 * ((long)r * rows.CG + k);
                    sums[at + 1] = (float)(sums[at + 1] - low * sums[at]);   // Σdy·(x − true mean)
                    NormMath.InputGradient(rows.Input + offset, dy + offset, rows.Output + offset, rows.HW, mean[r], rstd[r],
                        new Uniform(rows.GammaOf(rows.Channel(r, k))), coefficients);
                }
            }
        }
    }
}

/// <summary>
/// Local response normalization across channels (Krizhevsky et al. 2012), PyTorch's formula:
/// y[c] = x[c] / (k + alpha/size · Σ x[c′]²)^beta, the sum over c′ from c − ⌊size/2⌋ to c + ⌊(size − 1)/2⌋ within [0, C).
/// </summary>
/// <remarks>
/// Backward: with s[c] the saved scale, x[j] enters the scales of the channels c with j in c's window,
/// c from j − ⌊(size − 1)/2⌋ to j + ⌊size/2⌋, so
/// dx[j] = dy[j]·s[j]^(−beta) − (2·alpha·beta/size)·x[j]·Σ_c dy[c]·y[c]/s[c]. y must not be x.
/// </remarks>
public static unsafe class LocalResponseNorm
{
    /// <summary>Forward; scale (N, C, HW) saves k + alpha/size·Σx² for backward.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> scale, int n, int c, int hw,
        int size, float alpha, float beta, float k)
    {
        NormShape.Check(x.Length, y.Length, n, c, hw);
        KernelMath.Require(scale.Length, (long)n * c * hw, nameof(scale));
        CheckSize(size);
        var (planes, work) = (new Planes(c, hw, size), (2L + size) * n * c * hw);
        fixed (float* px = x, py = y, ps = scale)
        {
            if (beta == 0.75f) ParallelRanges.Run(new ForwardKernel<ThreeQuarters>(planes, px, py, ps, alpha / size, k, default), n, work);
            else ParallelRanges.Run(new ForwardKernel<AnyPower>(planes, px, py, ps, alpha / size, k, new AnyPower(beta)), n, work);
        }
    }

    /// <summary>
    /// Backward: dx overwritten. Reads only x and the saved scale (not y, which a fused activation
    /// overwrites): y = x·scale^(−beta) is recomputed where it is needed.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> dy,
        Span<float> dx, int n, int c, int hw, int size, float alpha, float beta)
    {
        NormShape.CheckBackward(x.Length, dy.Length, dx.Length, n, c, hw);
        KernelMath.Require(scale.Length, (long)n * c * hw, nameof(scale));
        CheckSize(size);
        var (planes, work, coef) = (new Planes(c, hw, size), (4L + size) * n * c * hw, 2f * alpha * beta / size);
        fixed (float* px = x, ps = scale, pdy = dy, pdx = dx)
        {
            if (beta == 0.75f) ParallelRanges.Run(new BackwardKernel<ThreeQuarters>(planes, px, ps, pdy, pdx, coef, default), n, work);
            else ParallelRanges.Run(new BackwardKernel<AnyPower>(planes, px, ps, pdy, pdx, coef, new AnyPower(beta)), n, work);
        }
    }

    private static void CheckSize(int size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "The LRN window needs at least one channel.");
    }

    // One sample is C planes of HW floats; Before = ⌊size/2⌋ channels precede c in its window, After = ⌊(size − 1)/2⌋ follow.
    private readonly struct Planes(int c, int hw, int size)
    {
        public readonly int C = c, HW = hw, Before = size / 2, After = (size - 1) / 2;

        public long Sample => (long)C * HW;
    }

    // x, y, scale (N, C, HW); alphaOverSize = alpha/size.
    private readonly struct ForwardKernel<TPow>(Planes p, float* x, float* y, float* scale, float alphaOverSize, float k, TPow pow)
        : IRangeKernel where TPow : struct, INegativePower
    {
        public void Reserve(Scratch scratch) { }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            for (var s = begin; s < end; s++)
                for (var ch = 0; ch < p.C; ch++)
                {
                    var at = s * p.Sample + (long)ch * p.HW;
                    var first = x + s * p.Sample + (long)Math.Max(0, ch - p.Before) * p.HW;   // window's first plane
                    var planes = Math.Min(p.C - 1, ch + p.After) - Math.Max(0, ch - p.Before) + 1;
                    Plane(first, planes, x + at, y + at, scale + at);
                }
        }

        // scale = k + alpha/size·Σ window², y = x·scale^(−beta), over one plane of HW positions.
        private void Plane(float* window, int planes, float* xp, float* yp, float* sp)
        {
            var i = 0;
            for (; i <= p.HW - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var sum = Vector256<float>.Zero;
                for (var w = 0; w < planes; w++)
                {
                    var v = Vector256.Load(window + (long)w * p.HW + i);
                    sum += v * v;
                }
                var sc = Vector256.Create(k) + Vector256.Create(alphaOverSize) * sum;
                sc.Store(sp + i);
                (Vector256.Load(xp + i) * pow.Apply(sc)).Store(yp + i);
            }
            for (; i < p.HW; i++)
            {
                var sum = 0f;
                for (var w = 0; w < planes; w++) sum += window[(long)w * p.HW + i] * window[(long)w * p.HW + i];
                sp[i] = k + alphaOverSize * sum;
                yp[i] = xp[i] * pow.Apply(sp[i]);
            }
        }
    }

    // x, scale, dy, dx (N, C, HW). t (C, HW), one sample's dy·y/scale with y = x·scale^(−beta) (the terms each
    // x[j] collects from the channels whose windows hold j), lives in the thread's scratch (its im2col buffer, unused here).
    private readonly struct BackwardKernel<TPow>(Planes p, float* x, float* scale, float* dy, float* dx, float coef, TPow pow)
        : IRangeKernel where TPow : struct, INegativePower
    {
        public void Reserve(Scratch scratch) => scratch.Col((int)p.Sample);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int begin, int end, Scratch scratch)
        {
            var t = scratch.Col((int)p.Sample);
            for (var s = begin; s < end; s++)
            {
                var o = s * p.Sample;
                Terms(x + o, scale + o, dy + o, t, (int)p.Sample);
                for (var j = 0; j < p.C; j++)
                {
                    var lo = Math.Max(0, j - p.After);
                    var planes = Math.Min(p.C - 1, j + p.Before) - lo + 1;
                    var at = o + (long)j * p.HW;
                    Plane(t + (long)lo * p.HW, planes, x + at, scale + at, dy + at, dx + at);
                }
            }
        }

        // t = dy·y/scale = dy·x·scale^(−beta)/scale over one sample.
        private void Terms(float* xp, float* sp, float* dyp, float* t, int count)
        {
            var i = 0;
            for (; i <= count - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var s = Vector256.Load(sp + i);
                (Vector256.Load(dyp + i) * Vector256.Load(xp + i) * pow.Apply(s) / s).Store(t + i);
            }
            for (; i < count; i++) t[i] = dyp[i] * xp[i] * pow.Apply(sp[i]) / sp[i];
        }

        // dx = dy·scale^(−beta) − coef·x·Σ window of t, over one plane of HW positions.
        private void Plane(float* window, int planes, float* xp, float* sp, float* dyp, float* dxp)
        {
            var i = 0;
            for (; i <= p.HW - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var sum = Vector256<float>.Zero;
                for (var w = 0; w < planes; w++) sum += Vector256.Load(window + (long)w * p.HW + i);
                (Vector256.Load(dyp + i) * pow.Apply(Vector256.Load(sp + i))
                    - Vector256.Create(coef) * Vector256.Load(xp + i) * sum).Store(dxp + i);
            }
            for (; i < p.HW; i++)
            {
                var sum = 0f;
                for (var w = 0; w < planes; w++) sum += window[(long)w * p.HW + i];
                dxp[i] = dyp[i] * pow.Apply(sp[i]) - coef * xp[i] * sum;
            }
        }
    }

    // s^(−beta) for a scale s > 0, on a block and on one value.
    private interface INegativePower
    {
        Vector256<float> Apply(Vector256<float> s);
        float Apply(float s);
    }

    // Any beta: e^(−beta·ln s).
    private readonly struct AnyPower(float beta) : INegativePower
    {
        public Vector256<float> Apply(Vector256<float> s) => Vector256.Exp(Vector256.Create(-beta) * Vector256.Log(s));
        public float Apply(float s) => MathF.Pow(s, -beta);
    }

    // beta = 3/4 (AlexNet's, PyTorch's default): 1/(√s·√√s), square roots only — faster and more exact than e^(−¾·ln s).
    private readonly struct ThreeQuarters : INegativePower
    {
        public Vector256<float> Apply(Vector256<float> s)
        {
            var root = Vector256.Sqrt(s);
            return Vector256<float>.One / (root * Vector256.Sqrt(root));
        }

        public float Apply(float s)
        {
            var root = MathF.Sqrt(s);
            return 1f / (root * MathF.Sqrt(root));
        }
    }
}

/// <summary>Argument checks shared by the normalization kernels.</summary>
internal static class NormShape
{
    /// <summary>Checks the dimensions and that x and y hold N·C·HW values.</summary>
    public static void Check(int xLength, int yLength, int n, int c, int hw)
    {
        KernelMath.RequireBatch(n);
        if (c < 0) throw new ArgumentOutOfRangeException(nameof(c), c, "The channel count cannot be negative.");
        if (hw < 0) throw new ArgumentOutOfRangeException(nameof(hw), hw, "The plane size cannot be negative.");
        KernelMath.Require(xLength, (long)n * c * hw, "x");
        KernelMath.Require(yLength, (long)n * c * hw, "y");
    }

    /// <summary>Checks the dimensions and that x, dy and dx hold N·C·HW values.</summary>
    public static void CheckBackward(int xLength, int dyLength, int dxLength, int n, int c, int hw)
    {
        Check(xLength, dxLength, n, c, hw);
        KernelMath.Require(dyLength, (long)n * c * hw, "dy");
    }

    /// <summary>Checks that gamma and beta (or their gradients) are each empty or hold <paramref name="count"/> values.</summary>
    public static void CheckAffine(int gammaLength, int betaLength, int count, string gammaName = "gamma", string betaName = "beta")
    {
        KernelMath.RequireOptional(gammaLength, count, gammaName);
        KernelMath.RequireOptional(betaLength, count, betaName);
    }
}
