namespace ModelDsl.Tests.Kernels;

/// <summary>
/// The normalization layers as straight double-precision loops over their published formulas, independent
/// of the kernels' structure. x is (N, C, HW); a null gamma or beta means 1 or 0.
/// </summary>
public static class NormalizationReference
{
    /// <summary>BatchNorm, training: per channel over N·HW values, biased variance; also returns the batch mean and biased variance (C).</summary>
    public static (double[] Y, double[] Mean, double[] Var) BatchNormTraining(double[] x, double[]? gamma, double[]? beta, int n, int c, int hw, double eps)
    {
        var y = new double[n * c * hw];
        var mean = new double[c];
        var variance = new double[c];
        for (var ch = 0; ch < c; ch++)
        {
            for (var s = 0; s < n; s++)
                for (var p = 0; p < hw; p++) mean[ch] += x[(s * c + ch) * hw + p];
            mean[ch] /= n * hw;
            for (var s = 0; s < n; s++)
                for (var p = 0; p < hw; p++) variance[ch] += Math.Pow(x[(s * c + ch) * hw + p] - mean[ch], 2);
            variance[ch] /= n * hw;
            for (var s = 0; s < n; s++)
                for (var p = 0; p < hw; p++)
                {
                    var i = (s * c + ch) * hw + p;
                    y[i] = (gamma?[ch] ?? 1) * (x[i] - mean[ch]) / Math.Sqrt(variance[ch] + eps) + (beta?[ch] ?? 0);
                }
        }
        return (y, mean, variance);
    }

    /// <summary>BatchNorm, inference: y = gamma·(x − runningMean)/√(runningVar + eps) + beta.</summary>
    public static double[] BatchNormInference(double[] x, double[]? gamma, double[]? beta, double[] runningMean, double[] runningVar,
        int n, int c, int hw, double eps)
    {
        var y = new double[n * c * hw];
        for (var s = 0; s < n; s++)
            for (var ch = 0; ch < c; ch++)
                for (var p = 0; p < hw; p++)
                {
                    var i = (s * c + ch) * hw + p;
                    y[i] = (gamma?[ch] ?? 1) * (x[i] - runningMean[ch]) / Math.Sqrt(runningVar[ch] + eps) + (beta?[ch] ?? 0);
                }
        return y;
    }

    /// <summary>LayerNorm over the d values of each sample, per-element gamma and beta (d).</summary>
    public static double[] LayerNorm(double[] x, double[]? gamma, double[]? beta, int n, int d, double eps)
    {
        var y = new double[n * d];
        for (var s = 0; s < n; s++)
        {
            double mean = 0, variance = 0;
            for (var i = 0; i < d; i++) mean += x[s * d + i];
            mean /= d;
            for (var i = 0; i < d; i++) variance += Math.Pow(x[s * d + i] - mean, 2);
            variance /= d;
            for (var i = 0; i < d; i++)
                y[s * d + i] = (gamma?[i] ?? 1) * (x[s * d + i] - mean) / Math.Sqrt(variance + eps) + (beta?[i] ?? 0);
        }
        return y;
    }

    /// <summary>GroupNorm: channels ch with ch / (C/G) = g form group g, normalized per sample over their (C/G)·HW values.</summary>
    public static double[] GroupNorm(double[] x, double[]? gamma, double[]? beta, int n, int c, int hw, int groups, double eps)
    {
        var y = new double[n * c * hw];
        var cg = c / groups;
        for (var s = 0; s < n; s++)
            for (var g = 0; g < groups; g++)
            {
                double mean = 0, variance = 0;
                for (var ch = g * cg; ch < (g + 1) * cg; ch++)
                    for (var p = 0; p < hw; p++) mean += x[(s * c + ch) * hw + p];
                mean /= cg * hw;
                for (var ch = g * cg; ch < (g + 1) * cg; ch++)
                    for (var p = 0; p < hw; p++) variance += Math.Pow(x[(s * c + ch) * hw + p] - mean, 2);
                variance /= cg * hw;
                for (var ch = g * cg; ch < (g + 1) * cg; ch++)
                    for (var p = 0; p < hw; p++)
                    {
                        var i = (s * c + ch) * hw + p;
                        y[i] = (gamma?[ch] ?? 1) * (x[i] - mean) / Math.Sqrt(variance + eps) + (beta?[ch] ?? 0);
                    }
            }
        return y;
    }

    /// <summary>PyTorch's LocalResponseNorm: y = x/(k + alpha/size·Σ_{c′ = c − ⌊size/2⌋ … c + ⌊(size − 1)/2⌋, inside [0, C)} x[c′]²)^beta.</summary>
    public static double[] LocalResponseNorm(double[] x, int n, int c, int hw, int size, double alpha, double beta, double k)
    {
        var y = new double[n * c * hw];
        for (var s = 0; s < n; s++)
            for (var ch = 0; ch < c; ch++)
                for (var p = 0; p < hw; p++)
                {
                    var sum = 0.0;
                    for (var other = ch - size / 2; other <= ch + (size - 1) / 2; other++)
                        if (other >= 0 && other < c) sum += x[(s * c + other) * hw + p] * x[(s * c + other) * hw + p];
                    var i = (s * c + ch) * hw + p;
                    y[i] = x[i] / Math.Pow(k + alpha / size * sum, beta);
                }
        return y;
    }
}
