using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Conv2D with dilation and groups (depthwise included) and ConvTranspose2D against the independent
// double references of GroupedReference: forward values; backward against the reference gradients
// and, on the small shapes, central finite differences of L = Σ r ⊙ y (both layers are linear in x,
// w and b, so the differences are exact up to rounding); the accumulation contract (dw, db added
// to, dx overwritten); transposition as the adjoint of convolution; bitwise repeatability.
public class GroupedConvTests
{
    private delegate void ForwardFn(float[] x, float[] w, float[] b, float[] y, int n);
    private delegate void BackwardFn(float[] x, float[] w, float[] dy, float[] dx, float[] dw, float[] db, int n);

    /// <summary>A layer under test: its kernels, its references and its buffer sizes.</summary>
    private sealed record Layer(GroupedDims D, int WeightSize, ForwardFn Forward, BackwardFn Backward,
        Func<int, double[], double[], double[]?, double[]> Reference,
        Func<int, double[], double[], double[], (double[] Dx, double[] Dw, double[] Db)> ReferenceBackward)
    {
        /// <summary>x (N, C, H, W), w and b (K) from fixed seeds.</summary>
        public (float[] X, float[] W, float[] B) Inputs(int n) =>
            (Data.Uniform(n * D.InputSize, 1), Data.Uniform(WeightSize, 2), Data.Uniform(D.K, 3));

        public static Layer Conv<T>() where T : struct, IConv2DShape
        {
            var d = GroupedDims.Of<T>();
            return new(d, d.ConvWeightSize,
                (x, w, b, y, n) => Conv2D.Forward<T>(x, w, b, y, n),
                (x, w, dy, dx, dw, db, n) => Conv2D.Backward<T>(x, w, dy, dx, dw, db, n),
                (n, x, w, b) => GroupedReference.Conv(d, n, x, w, b),
                (n, x, w, dy) => GroupedReference.ConvBackward(d, n, x, w, dy));
        }

        public static Layer Transpose<T>() where T : struct, IConvTranspose2DShape
        {
            var d = GroupedDims.OfTranspose<T>();
            return new(d, d.TransposeWeightSize,
                (x, w, b, y, n) => ConvTranspose2D.Forward<T>(x, w, b, y, n),
                (x, w, dy, dx, dw, db, n) => ConvTranspose2D.Backward<T>(x, w, dy, dx, dw, db, n),
                (n, x, w, b) => GroupedReference.Transpose(d, n, x, w, b),
                (n, x, w, dy) => GroupedReference.TransposeBackward(d, n, x, w, dy));
        }
    }

    private static Layer Named(string shape) => shape switch
    {
        nameof(ConvDilatedStrided) => Layer.Conv<ConvDilatedStrided>(),
        nameof(ConvGroups2) => Layer.Conv<ConvGroups2>(),
        nameof(ConvGroups3Dilated) => Layer.Conv<ConvGroups3Dilated>(),
        nameof(ConvDepthwiseStride2) => Layer.Conv<ConvDepthwiseStride2>(),
        nameof(ConvDepthwiseDilated) => Layer.Conv<ConvDepthwiseDilated>(),
        nameof(ConvDepthMultiplier) => Layer.Conv<ConvDepthMultiplier>(),
        nameof(ConvDepthwiseLarge) => Layer.Conv<ConvDepthwiseLarge>(),
        nameof(ConvGroupedLarge) => Layer.Conv<ConvGroupedLarge>(),
        nameof(ConvTStride2) => Layer.Transpose<ConvTStride2>(),
        nameof(ConvTGroupsDilated) => Layer.Transpose<ConvTGroupsDilated>(),
        nameof(ConvTDepthwise) => Layer.Transpose<ConvTDepthwise>(),
        nameof(ConvTLarge) => Layer.Transpose<ConvTLarge>(),
        _ => throw new ArgumentException(shape),
    };

    public static TheoryData<string, int> Shapes => new()
    {
        { nameof(ConvDilatedStrided), 1 },
        { nameof(ConvDilatedStrided), 5 },
        { nameof(ConvGroups2), 1 },
        { nameof(ConvGroups2), 5 },
        { nameof(ConvGroups3Dilated), 5 },
        { nameof(ConvDepthwiseStride2), 1 },
        { nameof(ConvDepthwiseStride2), 5 },
        { nameof(ConvDepthwiseDilated), 5 },
        { nameof(ConvDepthMultiplier), 5 },
        { nameof(ConvDepthwiseLarge), 16 },
        { nameof(ConvGroupedLarge), 16 },
        { nameof(ConvTStride2), 1 },
        { nameof(ConvTStride2), 5 },
        { nameof(ConvTGroupsDilated), 5 },
        { nameof(ConvTDepthwise), 5 },
        { nameof(ConvTLarge), 8 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_MatchesDoubleReference(string shape, int n)
    {
        var layer = Named(shape);
        var d = layer.D;
        var (x, w, b) = layer.Inputs(n);
        var y = Data.Garbage(n * d.OutputSize);
        layer.Forward(x, w, b, y, n);
        Data.AssertClose(layer.Reference(n, Data.ToDouble(x), Data.ToDouble(w), Data.ToDouble(b)), y, what: "y");
        layer.Forward(x, w, [], y, n);
        Data.AssertClose(layer.Reference(n, Data.ToDouble(x), Data.ToDouble(w), null), y, what: "y without bias");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_MatchesReferenceAndFiniteDifferences_AccumulatingDwDbAndOverwritingDx(string shape, int n)
    {
        var layer = Named(shape);
        var d = layer.D;
        var (x, w, b) = layer.Inputs(n);
        var r = Data.Uniform(n * d.OutputSize, 4);   // L = Σ r ⊙ y, so dy = r
        var dw0 = Data.Uniform(layer.WeightSize, 5); // gradients already present, to be added to
        var db0 = Data.Uniform(d.K, 6);
        var dx = Data.Garbage(x.Length);             // must be overwritten
        var dw = (float[])dw0.Clone();
        var db = (float[])db0.Clone();
        layer.Backward(x, w, r, dx, dw, db, n);

        double[] xd = Data.ToDouble(x), wd = Data.ToDouble(w), bd = Data.ToDouble(b), rd = Data.ToDouble(r);
        var (ex, ew, eb) = layer.ReferenceBackward(n, xd, wd, rd);
        Data.AssertClose(ex, dx, 1e-4, 1e-5, what: "dx");
        Data.AssertClose(Plus(dw0, ew), dw, 1e-4, 1e-5, what: "dw");
        Data.AssertClose(Plus(db0, eb), db, 1e-4, 1e-5, what: "db");

        // dw alone (dx and db empty) is the same, bit for bit.
        var dwOnly = (float[])dw0.Clone();
        layer.Backward(x, w, r, [], dwOnly, [], n);
        Assert.Equal(dw, dwOnly);

        // Central differences of the reference forward at up to 30 indices of each of x, w, b, on the small shapes.
        if ((double)n * d.InputSize * d.OutputSize > 3e6) return;
        var xi = Data.SampleIndices(x.Length, 30, 7);
        var wi = Data.SampleIndices(w.Length, 30, 8);
        var bi = Data.SampleIndices(b.Length, 30, 9);
        var gx = Reference.FiniteDifferences(xd, v => layer.Reference(n, v, wd, bd), rd, xi);
        var gw = Reference.FiniteDifferences(wd, v => layer.Reference(n, xd, v, bd), rd, wi);
        var gb = Reference.FiniteDifferences(bd, v => layer.Reference(n, xd, wd, v), rd, bi);
        Data.AssertClose(gx, dx, 1e-4, 1e-4, xi, "dx");
        Data.AssertClose(Plus(dw0, gw), dw, 1e-4, 1e-4, wi, "dw");
        Data.AssertClose(Plus(db0, gb), db, 1e-4, 1e-4, bi, "db");
    }

    [Theory]
    [InlineData(nameof(ConvAdjointOfStride2), nameof(ConvTStride2))]
    [InlineData(nameof(ConvAdjointOfGroupsDilated), nameof(ConvTGroupsDilated))]
    public void ConvTranspose2D_IsTheAdjointOfConv2D_WithSharedWeights(string convShape, string transposeShape)
    {
        var conv = convShape == nameof(ConvAdjointOfStride2) ? Layer.Conv<ConvAdjointOfStride2>() : Layer.Conv<ConvAdjointOfGroupsDilated>();
        var transpose = Named(transposeShape);
        GroupedDims c = conv.D, t = transpose.D;
        Assert.Equal((c.C, c.H, c.W, c.K, c.OH, c.OW, c.G), (t.K, t.OH, t.OW, t.C, t.H, t.W, t.G));
        Assert.Equal(conv.WeightSize, transpose.WeightSize);
        const int n = 3;
        var x = Data.Uniform(n * c.InputSize, 1);    // conv input, transposed output
        var y = Data.Uniform(n * c.OutputSize, 2);   // conv output, transposed input
        var w = Data.Uniform(conv.WeightSize, 3);
        var convX = new float[y.Length];
        var transposeY = new float[x.Length];
        conv.Forward(x, w, [], convX, n);
        transpose.Forward(y, w, [], transposeY, n);
        // ⟨conv(x), y⟩ = ⟨x, convT(y)⟩, within the rounding of the float sums behind either side.
        double left = 0, right = 0, magnitude = 0;
        for (var i = 0; i < y.Length; i++) left += (double)convX[i] * y[i];
        for (var i = 0; i < x.Length; i++)
        {
            right += (double)x[i] * transposeY[i];
            magnitude += Math.Abs((double)x[i] * transposeY[i]);
        }
        Assert.True(Math.Abs(left - right) <= 1e-5 * magnitude, $"⟨conv(x), y⟩ = {left}, ⟨x, convT(y)⟩ = {right}");
    }

    [Theory]
    [InlineData(nameof(ConvDepthwiseLarge), 16)]
    [InlineData(nameof(ConvGroupedLarge), 16)]
    [InlineData(nameof(ConvTLarge), 8)]
    public void ThreadedForwardAndBackward_AreBitwiseRepeatable(string shape, int n)
    {
        var layer = Named(shape);
        var d = layer.D;
        var (x, w, b) = layer.Inputs(n);
        var dy = Data.Uniform(n * d.OutputSize, 4);
        (float[] Y, float[] Dx, float[] Dw, float[] Db) RunOnce()
        {
            var y = new float[dy.Length];
            var dx = new float[x.Length];
            var dw = new float[w.Length];
            var db = new float[b.Length];
            layer.Forward(x, w, b, y, n);
            layer.Backward(x, w, dy, dx, dw, db, n);
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
    public void ConvTranspose2DForward_RejectsBuffersShorterThanTheShape()
    {
        var d = GroupedDims.OfTranspose<ConvTStride2>();
        Assert.Throws<ArgumentException>(() =>
            ConvTranspose2D.Forward<ConvTStride2>(new float[d.InputSize], new float[d.TransposeWeightSize], [], new float[d.OutputSize - 1], 1));
    }

    private static double[] Plus(float[] start, double[] delta) => start.Select((v, i) => v + delta[i]).ToArray();
}
