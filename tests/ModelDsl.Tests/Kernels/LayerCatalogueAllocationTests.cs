using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// After warm-up, the convolution-family kernels of the layer catalogue (depthwise, grouped,
// transposed, unpooling, global pooling) allocate nothing, threaded sizes included.
[Collection(nameof(AllocationCollection))]
public class LayerCatalogueAllocationTests
{
    [Fact]
    public void ConvolutionFamilyKernels_AfterWarmUp_AllocateZeroBytes()
    {
        const int n = 16;
        var dw = GroupedDims.Of<ConvDepthwiseLarge>();
        var gr = GroupedDims.Of<ConvGroupedLarge>();
        var tr = GroupedDims.OfTranspose<ConvTLarge>();
        var pool = PoolDims.Of<PoolLeNet1>();
        var size = new[] { dw.InputSize, dw.OutputSize, gr.InputSize, gr.OutputSize, tr.InputSize, tr.OutputSize, pool.InputSize }.Max();
        float[] x = Data.Uniform(n * size, 1), y = new float[n * size], dx = new float[n * size];
        float[] w = Data.Uniform(tr.TransposeWeightSize + dw.ConvWeightSize + gr.ConvWeightSize, 2), gw = new float[w.Length];
        float[] b = Data.Uniform(32, 3), gb = new float[b.Length];
        var argmax = new int[n * size];

        void Step()
        {
            Conv2D.Forward<ConvDepthwiseLarge>(x, w, b, y, n);
            Conv2D.Backward<ConvDepthwiseLarge>(x, w, y, dx, gw, gb, n);
            Conv2D.Forward<ConvGroupedLarge>(x, w, b, y, n);
            Conv2D.Backward<ConvGroupedLarge>(x, w, y, dx, gw, gb, n);
            ConvTranspose2D.Forward<ConvTLarge>(x, w, b, y, n);
            ConvTranspose2D.Backward<ConvTLarge>(x, w, y, dx, gw, gb, n);
            MaxPool2D.Forward<PoolLeNet1>(x, y, argmax, n);
            MaxUnpool2D.Forward<PoolLeNet1>(y, argmax, dx, n);
            MaxUnpool2D.Backward<PoolLeNet1>(dx, argmax, y, n);
            GlobalPool.AvgForward(x, y, n, 32, 400);
            GlobalPool.AvgBackward(y, dx, n, 32, 400);
            GlobalPool.MaxForward(x, y, argmax, n, 32, 400);
            GlobalPool.MaxBackward(y, argmax, dx, n, 32, 400);
        }

        for (var i = 0; i < 3; i++) Step();
        Assert.Equal(0, Allocations.LeastOverWindows(Step));
    }
}
