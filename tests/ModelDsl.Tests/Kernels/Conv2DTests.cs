using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Conv2D against the double reference: forward values, backward by central finite differences of
// L = Σ r ⊙ y (conv is linear in x, w and b, so the differences are exact up to rounding), the
// accumulation contract (dw, db added to; dx overwritten), and bitwise determinism when threaded.
public class Conv2DTests
{
    public static TheoryData<string, int> Shapes => new()
    {
        { nameof(ConvTiny), 1 },
        { nameof(ConvStridedNonSquare), 7 },
        { nameof(ConvAsymmetricPadding), 1 },
        { nameof(ConvAsymmetricPadding), 7 },
        { nameof(ConvSamePad2), 7 },
        { nameof(ConvStride3), 7 },
        { nameof(ConvPointwise), 7 },
        { nameof(ConvLeNet2), 7 },
        { nameof(ConvWide), 3 },
        { nameof(ConvWide), 1 },   // one sample: the backward splits the input channels (24 and 16) across parts
        { nameof(ConvStride2Wide), 3 },
    };

    private static void Dispatch(string shape, IConvCheck check, int n)
    {
        switch (shape)
        {
            case nameof(ConvTiny): check.Run<ConvTiny>(n); break;
            case nameof(ConvStridedNonSquare): check.Run<ConvStridedNonSquare>(n); break;
            case nameof(ConvAsymmetricPadding): check.Run<ConvAsymmetricPadding>(n); break;
            case nameof(ConvSamePad2): check.Run<ConvSamePad2>(n); break;
            case nameof(ConvStride3): check.Run<ConvStride3>(n); break;
            case nameof(ConvPointwise): check.Run<ConvPointwise>(n); break;
            case nameof(ConvLeNet2): check.Run<ConvLeNet2>(n); break;
            case nameof(ConvWide): check.Run<ConvWide>(n); break;
            case nameof(ConvStride2Wide): check.Run<ConvStride2Wide>(n); break;
            default: throw new ArgumentException(shape);
        }
    }

    private interface IConvCheck { void Run<T>(int n) where T : struct, IConv2DShape; }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Conv2DForward_MatchesDoubleReference(string shape, int n) => Dispatch(shape, new ForwardCheck(), n);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Conv2DBackward_MatchesReferenceAndFiniteDifferences_AccumulatingDwDbAndOverwritingDx(string shape, int n) =>
        Dispatch(shape, new BackwardCheck(), n);

    [Fact]
    public void Conv2DForward_WithoutBias_IsThePlainCorrelation()
    {
        var d = ConvDims.Of<ConvAsymmetricPadding>();
        const int n = 2;
        var x = Data.Uniform(n * d.InputSize, 1);
        var w = Data.Uniform(d.WeightSize, 2);
        var y = Data.Garbage(n * d.OutputSize);
        Conv2D.Forward<ConvAsymmetricPadding>(x, w, [], y, n);
        Data.AssertClose(Reference.Conv(d, n, Data.ToDouble(x), Data.ToDouble(w), null), y, what: "y");
    }

    [Fact]
    public void Conv2DBackward_WithEmptyDxAndDb_OnlyAccumulatesDw()
    {
        var d = ConvDims.Of<ConvStridedNonSquare>();
        const int n = 3;
        var x = Data.Uniform(n * d.InputSize, 1);
        var w = Data.Uniform(d.WeightSize, 2);
        var dy = Data.Uniform(n * d.OutputSize, 3);
        var dwFull = new float[d.WeightSize];
        Conv2D.Backward<ConvStridedNonSquare>(x, w, dy, new float[n * d.InputSize], dwFull, new float[d.K], n);
        var dw = new float[d.WeightSize];
        Conv2D.Backward<ConvStridedNonSquare>(x, w, dy, [], dw, [], n);
        Assert.Equal(dwFull, dw);
    }

    [Fact]
    public void Conv2D_ThreadedForwardAndBackward_AreBitwiseRepeatable()
    {
        var d = ConvDims.Of<ConvLeNet2>();
        const int n = 16;
        var x = Data.Uniform(n * d.InputSize, 1);
        var w = Data.Uniform(d.WeightSize, 2);
        var b = Data.Uniform(d.K, 3);
        var dy = Data.Uniform(n * d.OutputSize, 4);
        (float[] Y, float[] Dx, float[] Dw, float[] Db) RunOnce()
        {
            var y = new float[n * d.OutputSize];
            var dx = new float[n * d.InputSize];
            var dw = new float[d.WeightSize];
            var db = new float[d.K];
            Conv2D.Forward<ConvLeNet2>(x, w, b, y, n);
            Conv2D.Backward<ConvLeNet2>(x, w, dy, dx, dw, db, n);
            return (y, dx, dw, db);
        }
        var first = RunOnce();
        for (var run = 0; run < 3; run++)
        {
            var again = RunOnce();
            Assert.Equal(first.Y, again.Y);
            Assert.Equal(first.Dx, again.Dx);
            Assert.Equal(first.Dw, again.Dw);
            Assert.Equal(first.Db, again.Db);
        }
    }

    [Fact]
    public async Task Conv2D_CalledFromManyThreadsAtOnce_GivesTheSingleThreadResult()
    {
        var d = ConvDims.Of<ConvLeNet2>();
        const int n = 8;
        var x = Data.Uniform(n * d.InputSize, 1);
        var w = Data.Uniform(d.WeightSize, 2);
        var dy = Data.Uniform(n * d.OutputSize, 4);
        var expectedY = new float[n * d.OutputSize];
        var expectedDw = new float[d.WeightSize];
        Conv2D.Forward<ConvLeNet2>(x, w, [], expectedY, n);
        Conv2D.Backward<ConvLeNet2>(x, w, dy, [], expectedDw, [], n);
        var threads = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var rep = 0; rep < 5; rep++)
            {
                var y = new float[n * d.OutputSize];
                var dw = new float[d.WeightSize];
                Conv2D.Forward<ConvLeNet2>(x, w, [], y, n);
                Conv2D.Backward<ConvLeNet2>(x, w, dy, [], dw, [], n);
                Assert.Equal(expectedY, y);
                Assert.Equal(expectedDw, dw);
            }
        })).ToArray();
        await Task.WhenAll(threads);
    }

    [Fact]
    public void Conv2DForward_RejectsBuffersShorterThanTheShape()
    {
        var d = ConvDims.Of<ConvTiny>();
        Assert.Throws<ArgumentException>(() =>
            Conv2D.Forward<ConvTiny>(new float[d.InputSize], new float[d.WeightSize], [], new float[d.OutputSize], 2));
    }

    private sealed class ForwardCheck : IConvCheck
    {
        public void Run<T>(int n) where T : struct, IConv2DShape
        {
            var d = ConvDims.Of<T>();
            var x = Data.Uniform(n * d.InputSize, 1);
            var w = Data.Uniform(d.WeightSize, 2);
            var b = Data.Uniform(d.K, 3);
            var y = Data.Garbage(n * d.OutputSize);
            Conv2D.Forward<T>(x, w, b, y, n);
            Data.AssertClose(Reference.Conv(d, n, Data.ToDouble(x), Data.ToDouble(w), Data.ToDouble(b)), y, what: "y");
        }
    }

    private sealed class BackwardCheck : IConvCheck
    {
        public void Run<T>(int n) where T : struct, IConv2DShape
        {
            var d = ConvDims.Of<T>();
            var x = Data.Uniform(n * d.InputSize, 1);
            var w = Data.Uniform(d.WeightSize, 2);
            var b = Data.Uniform(d.K, 3);
            var r = Data.Uniform(n * d.OutputSize, 4);   // L = Σ r ⊙ y, so dy = r
            var dw0 = Data.Uniform(d.WeightSize, 5);     // gradients already present, to be added to
            var db0 = Data.Uniform(d.K, 6);
            var dx = Data.Garbage(n * d.InputSize);      // must be overwritten
            var dw = (float[])dw0.Clone();
            var db = (float[])db0.Clone();
            Conv2D.Backward<T>(x, w, r, dx, dw, db, n);

            double[] xd = Data.ToDouble(x), wd = Data.ToDouble(w), bd = Data.ToDouble(b), rd = Data.ToDouble(r);
            var (ex, ew, eb) = Reference.ConvBackward(d, n, xd, wd, rd);
            Data.AssertClose(ex, dx, 1e-4, 1e-5, what: "dx");
            Data.AssertClose(Plus(dw0, ew), dw, 1e-4, 1e-5, what: "dw");
            Data.AssertClose(Plus(db0, eb), db, 1e-4, 1e-5, what: "db");

            // Central differences of the reference forward (two forwards per index): on the small
            // shapes only, at up to 40 indices of each of x, w, b.
            if ((double)n * d.OutputSize * d.C * d.KH * d.KW > 2e5) return;
            var xi = Data.SampleIndices(x.Length, 40, 7);
            var wi = Data.SampleIndices(w.Length, 40, 8);
            var bi = Data.SampleIndices(b.Length, 40, 9);
            var gx = Reference.FiniteDifferences(xd, v => Reference.Conv(d, n, v, wd, bd), rd, xi);
            var gw = Reference.FiniteDifferences(wd, v => Reference.Conv(d, n, xd, v, bd), rd, wi);
            var gb = Reference.FiniteDifferences(bd, v => Reference.Conv(d, n, xd, wd, v), rd, bi);
            Data.AssertClose(gx, dx, 1e-4, 1e-4, xi, "dx");
            Data.AssertClose(Plus(dw0, gw), dw, 1e-4, 1e-4, wi, "dw");
            Data.AssertClose(Plus(db0, gb), db, 1e-4, 1e-4, bi, "db");
        }

        private static double[] Plus(float[] start, double[] delta) => start.Select((v, i) => v + delta[i]).ToArray();
    }
}
