using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// The fused inference paths of batch norm (with a ReLU, and as a residual sum of two branches) against
// NormalizationReference.BatchNormInference in double, summed and clamped in double. Plane sizes below,
// at and above the vector width with tails; the largest shape is split across the worker threads.
public class BatchNormInferenceTests
{
    private const float DefaultEps = 1e-5f;

    private sealed record Norm(float[]? Gamma, float[]? Beta, float[] Mean, float[] Var, float Eps)
    {
        public static Norm Random(int c, bool affine, int seed, float eps = DefaultEps) => new(
            affine ? Data.Uniform(c, seed) : null,
            affine ? Data.Uniform(c, seed + 1) : null,
            Data.Uniform(c, seed + 2).Select(v => 4 * v).ToArray(),                 // |mean| up to 2
            Data.Uniform(c, seed + 3).Select(v => 0.25f + 3 * v * v).ToArray(),    // var in [0.25, 1)
            eps);

        public BatchNormParameters Parameters => new(Gamma, Beta, Mean, Var, Eps);

        public double[] Apply(float[] x, int n, int c, int hw) => NormalizationReference.BatchNormInference(Data.ToDouble(x),
            Gamma is null ? null : Data.ToDouble(Gamma), Beta is null ? null : Data.ToDouble(Beta), Data.ToDouble(Mean), Data.ToDouble(Var), n, c, hw, Eps);
    }

    public static TheoryData<int, int, int, bool> Shapes => new()
    {
        { 1, 3, 1, true },       // one value per channel
        { 1, 5, 7, false },      // batch 1, plane below the vector width
        { 3, 4, 8, true },       // exactly one vector per row
        { 2, 3, 21, true },      // vectors and a tail
        { 16, 32, 129, true },   // threaded
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardInferenceWithReLU_IsTheClampedReference(int n, int c, int hw, bool affine)
    {
        var x = Data.Uniform(n * c * hw, 1).Select(v => 4 * v).ToArray();
        var bn = Norm.Random(c, affine, 10);
        var y = Data.Garbage(x.Length);
        BatchNorm.ForwardInference(x, bn.Gamma, bn.Beta, bn.Mean, bn.Var, y, n, c, hw, DefaultEps, relu: true);
        var expected = bn.Apply(x, n, c, hw).Select(v => Math.Max(v, 0)).ToArray();
        Data.AssertClose(expected, y, rel: 1e-5, abs: 1e-5, what: "y");
        Assert.Contains(y, v => v == 0f);   // the clamp was exercised
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void InferenceSum_OfTwoNormalizedBranches_MatchesTheReference_WithAndWithoutReLU(int n, int c, int hw, bool affine)
    {
        var a = Data.Uniform(n * c * hw, 1).Select(v => 4 * v).ToArray();
        var b = Data.Uniform(n * c * hw, 2).Select(v => 4 * v).ToArray();
        var bnA = Norm.Random(c, affine, 10);
        var bnB = Norm.Random(c, !affine, 20, eps: 1e-3f);   // the other affine setting and its own eps
        var sum = bnA.Apply(a, n, c, hw).Zip(bnB.Apply(b, n, c, hw), (p, q) => p + q).ToArray();
        foreach (var relu in new[] { false, true })
        {
            var y = Data.Garbage(a.Length);
            BatchNorm.InferenceSum(a, bnA.Parameters, b, bnB.Parameters, y, n, c, hw, relu);
            Data.AssertClose(relu ? sum.Select(v => Math.Max(v, 0)).ToArray() : sum, y, rel: 1e-5, abs: 1e-5, what: relu ? "relu(y)" : "y");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void InferenceSum_WithAPlainShortcut_AddsItAsItIs_EvenInPlace(int n, int c, int hw, bool affine)
    {
        var a = Data.Uniform(n * c * hw, 1).Select(v => 4 * v).ToArray();
        var b = Data.Uniform(n * c * hw, 2);
        var bn = Norm.Random(c, affine, 10);
        var expected = bn.Apply(a, n, c, hw).Zip(Data.ToDouble(b), (p, q) => Math.Max(p + q, 0)).ToArray();
        BatchNorm.InferenceSum(a, bn.Parameters, b, default, b, n, c, hw, relu: true);   // y is b
        Data.AssertClose(expected, b, rel: 1e-5, abs: 1e-5, what: "y");
    }

    [Fact]
    public void InferenceSum_RejectsShortBuffers_NamingThem()
    {
        var bn = Norm.Random(4, true, 1);
        var x = new float[2 * 4 * 3];
        var e = Assert.Throws<ArgumentException>(() => BatchNorm.InferenceSum(x, bn.Parameters, new float[5], default, x, 2, 4, 3, relu: false));
        Assert.Equal("b", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => BatchNorm.InferenceSum(x, new BatchNormParameters(bn.Gamma, bn.Beta, bn.Mean, new float[3], DefaultEps), x, default, x, 2, 4, 3, relu: false));
        Assert.Equal("bnA.runningVar", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => BatchNorm.InferenceSum(x, bn.Parameters, default, bn.Parameters, x, 2, 4, 3, relu: false));
        Assert.Equal("bnB", e.ParamName);
    }
}
