namespace ModelDsl.Kernels;

// Normalization layers. x is (N, C, HW) with HW = H·W (1 for flat inputs). Statistics saved by forward
// for backward: mean and rstd = 1/√(var + eps), var the biased (population) variance. Affine
// parameters gamma (scale) and beta (shift) may be empty: then gamma = 1, beta = 0, and their
// gradients are skipped. Backward: dx overwritten, dgamma/dbeta accumulated (+=).

/// <summary>Batch normalization (Ioffe &amp; Szegedy 2015), PyTorch's BatchNorm1d/2d semantics, per channel over N·HW values.</summary>
public static class BatchNorm
{
    /// <summary>
    /// Training: normalizes with the batch's mean and biased variance per channel (saved in mean (C), rstd (C)),
    /// then updates the running statistics: running = (1 − momentum)·running + momentum·batch, using the
    /// unbiased variance (N·HW/(N·HW − 1)) for runningVar, as PyTorch does.
    /// </summary>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> runningMean, Span<float> runningVar, Span<float> y, Span<float> mean, Span<float> rstd,
        int n, int c, int hw, float momentum, float eps) => throw new NotImplementedException();

    /// <summary>Inference: y = gamma·(x − runningMean)/√(runningVar + eps) + beta.</summary>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y,
        int n, int c, int hw, float eps) => throw new NotImplementedException();

    /// <summary>Backward of <see cref="ForwardTraining"/> (batch statistics depend on x).</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta,
        int n, int c, int hw) => throw new NotImplementedException();
}

/// <summary>Layer normalization (Ba et al. 2016) over the d = C·H·W values of each sample, with per-element gamma/beta (d), as PyTorch's LayerNorm([C, H, W]).</summary>
public static class LayerNorm
{
    /// <summary>y = gamma ⊙ (x − mean)·rstd + beta per sample; mean (N) and rstd (N) saved.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> mean, Span<float> rstd, int n, int d, float eps) => throw new NotImplementedException();

    /// <summary>Backward: dx overwritten; dgamma (d), dbeta (d) accumulated.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int n, int d) => throw new NotImplementedException();
}

/// <summary>
/// Group normalization (Wu &amp; He 2018): channels split into G groups, each sample's group normalized over its
/// (C/G)·HW values; per-channel gamma/beta (C). G = C is instance normalization, G = 1 normalizes each sample whole.
/// </summary>
public static class GroupNorm
{
    /// <summary>y = gamma[c]·(x − mean[n, g])·rstd[n, g] + beta[c]; mean and rstd (N·G) saved.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> mean, Span<float> rstd, int n, int c, int hw, int groups, float eps) => throw new NotImplementedException();

    /// <summary>Backward: dx overwritten; dgamma (C), dbeta (C) accumulated.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int n, int c, int hw, int groups) => throw new NotImplementedException();
}

/// <summary>
/// Local response normalization across channels (Krizhevsky et al. 2012), PyTorch's formula:
/// y[c] = x[c] / (k + alpha/size · Σ x[c′]²)^beta, the sum over c′ from c − ⌊size/2⌋ to c + ⌊(size − 1)/2⌋ within [0, C).
/// </summary>
public static class LocalResponseNorm
{
    /// <summary>Forward; scale (N, C, HW) saves k + alpha/size·Σx² for backward.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> scale, int n, int c, int hw,
        int size, float alpha, float beta, float k) => throw new NotImplementedException();

    /// <summary>Backward: dx overwritten.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> dy,
        Span<float> dx, int n, int c, int hw, int size, float alpha, float beta) => throw new NotImplementedException();
}
