using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// MaxUnpool2D after MaxPool2D (the round trip puts each maximum back, zeros elsewhere; backward
// gathers) and global average / max pooling against direct double loops.
public class UnpoolGlobalPoolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void MaxUnpool2D_AfterMaxPool2D_PutsTheMaximaBackAndZerosElsewhere(int n)
    {
        var d = PoolDims.Of<Pool2x2>();
        var x = Data.Distinct(n * d.InputSize, 1);
        var pooled = new float[n * d.OutputSize];
        var argmax = new int[pooled.Length];
        MaxPool2D.Forward<Pool2x2>(x, pooled, argmax, n);
        var unpooled = Data.Garbage(x.Length);
        MaxUnpool2D.Forward<Pool2x2>(pooled, argmax, unpooled, n);

        // x's cell (plane, ih, iw) is kept exactly when it is the largest of its 2×2 window.
        for (var plane = 0; plane < n * d.C; plane++)
            for (var ih = 0; ih < d.H; ih++)
                for (var iw = 0; iw < d.W; iw++)
                {
                    var window = Enumerable.Range(0, 4).Max(t => x[(plane * d.H + ih / 2 * 2 + t / 2) * d.W + iw / 2 * 2 + t % 2]);
                    var i = (plane * d.H + ih) * d.W + iw;
                    Assert.Equal(x[i] == window ? x[i] : 0f, unpooled[i]);
                }
    }

    [Fact]
    public void MaxUnpool2D_BackwardGathersAtArgmax_AndIsTheAdjointOfForward()
    {
        var d = PoolDims.Of<PoolOverlapping>();
        const int n = 3;
        var x = Data.Distinct(n * d.InputSize, 2);
        var pooled = new float[n * d.OutputSize];
        var argmax = new int[pooled.Length];
        MaxPool2D.Forward<PoolOverlapping>(x, pooled, argmax, n);
        argmax[1] = -1;   // a window with no winner: skipped forward, zero gradient backward

        var dy = Data.Uniform(x.Length, 3);   // (N, C, H, W)
        var dx = Data.Garbage(pooled.Length);
        MaxUnpool2D.Backward<PoolOverlapping>(dy, argmax, dx, n);
        for (var o = 0; o < dx.Length; o++)
            Assert.Equal(argmax[o] < 0 ? 0f : dy[o / (d.OH * d.OW) * d.H * d.W + argmax[o]], dx[o]);

        // With distinct winners ⟨unpool(v), dy⟩ = ⟨v, unpool backward(dy)⟩; with two windows sharing a
        // winner the forward keeps one of them, so the check runs on the distinct-winner planes only.
        var v = Data.Uniform(pooled.Length, 4);
        var y = new float[x.Length];
        MaxUnpool2D.Forward<PoolOverlapping>(v, argmax, y, n);
        for (var plane = 0; plane < n * d.C; plane++)
        {
            var winners = argmax.Skip(plane * d.OH * d.OW).Take(d.OH * d.OW).Where(a => a >= 0).ToArray();
            if (winners.Distinct().Count() != winners.Length) continue;
            double left = 0, right = 0;
            for (var i = 0; i < d.H * d.W; i++) left += (double)y[plane * d.H * d.W + i] * dy[plane * d.H * d.W + i];
            for (var o = 0; o < d.OH * d.OW; o++) right += (double)v[plane * d.OH * d.OW + o] * dx[plane * d.OH * d.OW + o];
            Assert.Equal(left, right, 1e-9);
        }
    }

    [Theory]
    [InlineData(1, 3, 7)]
    [InlineData(5, 16, 49)]
    [InlineData(32, 64, 64)]   // threaded
    public void GlobalPool_ForwardAndBackward_MatchDirectLoops(int n, int c, int hw)
    {
        var x = Data.Uniform(n * c * hw, 1);
        var dy = Data.Uniform(n * c, 2);
        var mean = new double[n * c];
        var max = new float[n * c];
        var arg = new int[n * c];
        for (var p = 0; p < n * c; p++)
        {
            var plane = x.AsSpan(p * hw, hw);
            mean[p] = plane.ToArray().Sum(v => (double)v) / hw;
            max[p] = plane.ToArray().Max();
            arg[p] = plane.IndexOf(max[p]);
        }

        var y = Data.Garbage(n * c);
        GlobalPool.AvgForward(x, y, n, c, hw);
        Data.AssertClose(mean, y, what: "avg y");
        var dx = Data.Garbage(x.Length);
        GlobalPool.AvgBackward(dy, dx, n, c, hw);
        Data.AssertClose(x.Select((_, i) => (double)dy[i / hw] / hw).ToArray(), dx, 1e-6, 1e-7, what: "avg dx");

        var argmax = new int[n * c];
        GlobalPool.MaxForward(x, y, argmax, n, c, hw);
        Assert.Equal(max, y);
        Assert.Equal(arg, argmax);
        GlobalPool.MaxBackward(dy, argmax, dx, n, c, hw);
        Assert.Equal(x.Select((_, i) => i % hw == arg[i / hw] ? dy[i / hw] : 0f).ToArray(), dx);
    }

    [Fact]
    public void GlobalMaxPool_FirstMaximumWins_AndNaNPropagates()
    {
        float[] x = [1, 3, 3, 2, /* second plane */ 0, float.NaN, 5, float.NaN];
        var y = new float[2];
        var argmax = new int[2];
        GlobalPool.MaxForward(x, y, argmax, 1, 2, 4);
        Assert.Equal([3f, float.NaN], y);
        Assert.Equal([1, 1], argmax);
    }
}
