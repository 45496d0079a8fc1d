using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// After one warm-up call (which grows the scratch buffers and starts the workers), forward and
// backward of every layer kernel allocate nothing on the managed heap, threaded sizes included.
// Runs alone, because the allocation counter is process-wide.
[Collection(nameof(AllocationCollection))]
public class AllocationTests
{
    [Fact]
    public void LayerKernels_AfterWarmUp_AllocateZeroBytes()
    {
        const int n = 64;
        var conv = ConvDims.Of<ConvLeNet2>();
        var pool = PoolDims.Of<PoolLeNet1>();
        var cx = Data.Uniform(n * conv.InputSize, 1);
        var cw = Data.Uniform(conv.WeightSize, 2);
        var cb = Data.Uniform(conv.K, 3);
        var cy = new float[n * conv.OutputSize];
        var cdx = new float[cx.Length];
        var cdw = new float[cw.Length];
        var cdb = new float[cb.Length];
        var px = Data.Uniform(n * pool.InputSize, 4);
        var py = new float[n * pool.OutputSize];
        var arg = new int[py.Length];
        var pdx = new float[px.Length];
        var dx = Data.Uniform(n * DenseLeNet.In, 5);
        var dw = Data.Uniform(DenseLeNet.Out * DenseLeNet.In, 6);
        var db = Data.Uniform(DenseLeNet.Out, 7);
        var dy = new float[n * DenseLeNet.Out];
        var ddx = new float[dx.Length];
        var ddw = new float[dw.Length];
        var ddb = new float[db.Length];
        var mask = new float[dy.Length];
        var rng = new Rng(1);

        void Step(ref Rng rng)
        {
            Conv2D.Forward<ConvLeNet2>(cx, cw, cb, cy, n);
            Conv2D.Backward<ConvLeNet2>(cx, cw, cy, cdx, cdw, cdb, n);
            Conv2D.Forward<ConvTiny>(cx, cw, cb, cy, 1);
            Conv2D.Backward<ConvTiny>(cx, cw, cy, cdx, cdw, cdb, 1);
            MaxPool2D.Forward<PoolLeNet1>(px, py, arg, n);
            MaxPool2D.Backward<PoolLeNet1>(py, arg, pdx, n);
            AvgPool2D.Forward<PoolLeNet1>(px, py, n);
            AvgPool2D.Backward<PoolLeNet1>(py, pdx, n);
            Dense.Forward<DenseLeNet>(dx, dw, db, dy, n);
            Activations.ReLU(dy, dy);
            Dropout.Forward(dy, dy, mask, 0.5f, ref rng);
            Dropout.Backward(mask, dy, dy);
            Activations.ReLUBackward(dy, dy, dy);
            Softmax.Forward(dy, dy, n, 10, 50);
            Softmax.Backward(dy, dy, dy, n, 10, 50);
            Dense.Backward<DenseLeNet>(dx, dw, dy, ddx, ddw, ddb, n);
            Dense.Forward<DenseTiny>(dx, dw, db, dy, 1);
        }

        for (var i = 0; i < 3; i++) Step(ref rng);
        var allocated = Allocations.LeastOverWindows(() => Step(ref rng));
        Assert.Equal(0, allocated);
    }
}
