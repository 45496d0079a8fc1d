using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// After warm-up (scratch grown, workers started), the normalization, activation and merge kernels
// allocate nothing, at sizes that split across the worker threads. Runs alone: the counter is process-wide.
[Collection(nameof(AllocationCollection))]
public class CatalogueAllocationTests
{
    [Fact]
    public void NormalizationActivationAndMergeKernels_AtThreadedSizes_AfterWarmUp_AllocateZeroBytes()
    {
        const int n = 32, c = 16, hw = 576, groups = 4;
        const int size = n * c * hw;
        var x = Data.Uniform(size, 1);
        var (y, dy, dx, scale) = (new float[size], Data.Uniform(size, 2), new float[size], new float[size]);
        var (gamma, beta, dgamma, dbeta) = (Data.Uniform(c * hw, 3), Data.Uniform(c * hw, 4), new float[c * hw], new float[c * hw]);
        var (runningMean, runningVar) = (new float[c], Enumerable.Repeat(1f, c).ToArray());
        var (mean, rstd) = (new float[n * c], new float[n * c]);
        var (s, ds) = (Data.Uniform(n * c, 5), new float[n * c]);
        var concat = new float[2 * size];

        void Step()
        {
            BatchNorm.ForwardTraining(x, gamma.AsSpan(0, c), beta.AsSpan(0, c), runningMean, runningVar, y, mean, rstd, n, c, hw, 0.1f, 1e-5f);
            BatchNorm.Backward(x, gamma.AsSpan(0, c), mean, rstd, dy, dx, dgamma.AsSpan(0, c), dbeta.AsSpan(0, c), n, c, hw);
            BatchNorm.ForwardInference(x, gamma.AsSpan(0, c), beta.AsSpan(0, c), runningMean, runningVar, y, n, c, hw, 1e-5f);
            LayerNorm.Forward(x, gamma, beta, y, mean, rstd, n, c * hw, 1e-5f);
            LayerNorm.Backward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, n, c * hw);
            GroupNorm.Forward(x, gamma.AsSpan(0, c), beta.AsSpan(0, c), y, mean, rstd, n, c, hw, groups, 1e-5f);
            GroupNorm.Backward(x, gamma.AsSpan(0, c), mean, rstd, dy, dx, dgamma.AsSpan(0, c), dbeta.AsSpan(0, c), n, c, hw, groups);
            LocalResponseNorm.Forward(x, y, scale, n, c, hw, 5, 1e-4f, 0.75f, 1f);
            LocalResponseNorm.Backward(x, scale, dy, dx, n, c, hw, 5, 1e-4f, 0.75f);
            MoreActivations.LeakyReLU(x, y, 0.01f);
            MoreActivations.LeakyReLUBackward(y, dy, dx, 0.01f);
            MoreActivations.SiLU(x, y);
            MoreActivations.SiLUBackward(x, dy, dx);
            MoreActivations.HardSwish(x, y);
            MoreActivations.HardSwishBackward(x, dy, dx);
            MoreActivations.ReLU6(x, y);
            MoreActivations.ReLU6Backward(y, dy, dx);
            Merge.Add(x, dy, y);
            Merge.Accumulate(x, y);
            Merge.ConcatForward(x, concat, n, c * hw, 2 * c * hw, c * hw);
            Merge.ConcatBackward(concat, dx, n, c * hw, 2 * c * hw, c * hw);
            Merge.ScaleForward(x, s, y, n, c, hw);
            Merge.ScaleBackward(x, s, dy, dx, ds, n, c, hw);
        }

        for (var i = 0; i < 3; i++) Step();
        Assert.Equal(0, Allocations.LeastOverWindows(Step));
    }
}
