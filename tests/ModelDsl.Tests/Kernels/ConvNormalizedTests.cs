using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Conv2D.ForwardNormalized (inference batch norm folded into the packed filters) against the double
// reference: the convolution, then (z − mean)·gamma/√(var + eps) + beta, then max(0, ·) when asked. Shapes
// through every forward path (the padded copy with output rows a whole number of vectors, the padded copy
// with discarded columns, small maps sharing one GEMM, the packed implicit GEMM for strides, groups,
// depthwise), with and without bias, gamma and beta empty (1 and 0), batch 1 and more.
public class ConvNormalizedTests
{
    public static TheoryData<string, int, bool> Cases => new()
    {
        { nameof(ShiftedAligned), 2, true },
        { nameof(ConvReluOdd), 3, false },
        { nameof(ConvSplitSmallMap), 5, true },
        { nameof(ConvStride2Wide), 3, true },
        { nameof(ConvGroups3Dilated), 2, false },
        { nameof(ConvDepthwiseLarge), 1, true },
    };

    private interface ICheck { void Run<T>(int n, bool relu) where T : struct, IConv2DShape; }

    private static void Dispatch(string shape, ICheck check, int n, bool relu)
    {
        switch (shape)
        {
            case nameof(ShiftedAligned): check.Run<ShiftedAligned>(n, relu); break;
            case nameof(ConvReluOdd): check.Run<ConvReluOdd>(n, relu); break;
            case nameof(ConvSplitSmallMap): check.Run<ConvSplitSmallMap>(n, relu); break;
            case nameof(ConvStride2Wide): check.Run<ConvStride2Wide>(n, relu); break;
            case nameof(ConvGroups3Dilated): check.Run<ConvGroups3Dilated>(n, relu); break;
            case nameof(ConvDepthwiseLarge): check.Run<ConvDepthwiseLarge>(n, relu); break;
            default: throw new ArgumentException(shape);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardNormalized_IsTheBatchNormOfTheConvolution(string shape, int n, bool relu) =>
        Dispatch(shape, new Check(withBias: true, affine: true), n, relu);

    [Theory]
    [InlineData(nameof(ConvReluOdd))]
    [InlineData(nameof(ConvDepthwiseLarge))]
    public void ForwardNormalized_WithoutBiasOrAffineParameters(string shape) =>
        Dispatch(shape, new Check(withBias: false, affine: false), 2, true);

    [Fact]
    public void ForwardNormalized_RejectsShortStatistics()
    {
        var d = GroupedDims.Of<ConvReluOdd>();
        var e = Assert.Throws<ArgumentException>(() => Conv2D.ForwardNormalized<ConvReluOdd>(new float[d.InputSize], new float[d.ConvWeightSize], default,
            new BatchNormParameters(default, default, new float[d.K], new float[d.K - 1], 1e-5f), new float[d.OutputSize], 1));
        Assert.Contains("norm.runningVar", e.Message);
    }

    private sealed class Check(bool withBias, bool affine) : ICheck
    {
        public void Run<T>(int n, bool relu) where T : struct, IConv2DShape
        {
            var d = GroupedDims.Of<T>();
            var x = Data.Uniform(n * d.InputSize, 21);
            var w = Data.Uniform(d.ConvWeightSize, 22);
            var b = withBias ? Data.Uniform(d.K, 23) : [];
            var gamma = affine ? Data.Uniform(d.K, 24).Select(v => 0.5f + v).ToArray() : [];
            var beta = affine ? Data.Uniform(d.K, 25) : [];
            var mean = Data.Uniform(d.K, 26);
            var variance = Data.Uniform(d.K, 27).Select(v => 0.2f + v * v).ToArray();
            const float eps = 1e-3f;
            var y = Data.Garbage(n * d.OutputSize);
            Conv2D.ForwardNormalized<T>(x, w, b, new BatchNormParameters(gamma, beta, mean, variance, eps), y, n, relu);

            var z = GroupedReference.Conv(d, n, Data.ToDouble(x), Data.ToDouble(w), withBias ? Data.ToDouble(b) : null);
            var positions = d.OutputSize / d.K;
            var expected = new double[z.Length];
            for (var i = 0; i < z.Length; i++)
            {
                var k = i / positions % d.K;
                var v = (z[i] - mean[k]) * (affine ? gamma[k] : 1.0) / Math.Sqrt(variance[k] + (double)eps) + (affine ? beta[k] : 0.0);
                expected[i] = relu ? Math.Max(0, v) : v;
            }
            Data.AssertClose(expected, y, what: "y");
        }
    }
}
