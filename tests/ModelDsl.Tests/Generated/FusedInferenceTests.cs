using ModelDsl.Kernels;
using ModelDsl.Tests.Kernels;

namespace ModelDsl.Tests.Generated;

using Data = ModelDsl.Tests.Kernels.Data;

// In inference the generated code folds a batch norm (and its ReLU) that follows a convolution into the
// convolution's filters, applies any other batch norm followed by a ReLU in one pass, and a batch norm read
// only by a residual sum inside that sum's pass. These tests compare whole inference forwards with a
// double-precision reference built from the reference layers, with every parameter and running statistic
// randomized (a kernel reading another channel's or another layer's values fails), and check that new
// parameters and statistics (written directly, or moved by a training-mode forward) are used at once.
public class FusedInferenceTests
{
    private const double Eps = 1e-5;

    private static void Randomize(Model net, int seed)
    {
        foreach (var p in net.ParameterList.Concat(net.BufferList))
        {
            var values = Data.Uniform(p.Length, seed++);
            if (p.Name.EndsWith("running_var", StringComparison.Ordinal)) values = values.Select(v => 0.3f + v * v).ToArray();
            else if (p.Name.EndsWith("running_mean", StringComparison.Ordinal)) values = values.Select(v => 0.5f * v).ToArray();
            values.CopyTo(p.Values);
        }
    }

    private static double[] P(Model net, string name) => Data.ToDouble(net.GetParameter(name).Values.ToArray());

    private static double[] Bn(Model net, string layer, double[] x, int n, int c, int hw) => NormalizationReference.BatchNormInference(
        x, P(net, layer + ".weight"), P(net, layer + ".bias"), P(net, layer + ".running_mean"), P(net, layer + ".running_var"), n, c, hw, Eps);

    private static double[] Relu(double[] x) => x.Select(v => Math.Max(v, 0)).ToArray();

    private static double[] Sum(double[] a, double[] b) => a.Zip(b, (p, q) => p + q).ToArray();

    private static double[] Conv3x3(Model net, string layer, double[] x, int n, int c, int k, int h, int stride) =>
        Reference.Conv(new ConvDims(c, h, h, k, 3, 3, stride, stride, 1, 1, (h - 1) / stride + 1, (h - 1) / stride + 1), n, x, P(net, layer + ".weight"), null);

    /// <summary>TinyResNet's inference in double: stem, two 3×3 convolutions, relu(StemBn + Bn2), pooling, dense.</summary>
    private static double[] TinyResNetReference(TinyResNet net, double[] x, int n)
    {
        var stem = Relu(Bn(net, "StemBn", Conv3x3(net, "Stem", x, n, 3, 16, 8, 1), n, 16, 64));
        var h1 = Relu(Bn(net, "Bn1", Conv3x3(net, "Conv1", stem, n, 16, 16, 8, 1), n, 16, 64));
        var block = Relu(Sum(stem, Bn(net, "Bn2", Conv3x3(net, "Conv2", h1, n, 16, 16, 8, 1), n, 16, 64)));
        var pooled = Enumerable.Range(0, n * 16).Select(i => block.Skip(i * 64).Take(64).Average()).ToArray();
        return Reference.Dense(16, 3, n, pooled, P(net, "Logits.weight"), P(net, "Logits.bias"));
    }

    /// <summary>The projected block in double: relu(Bn2(Conv2(relu(Bn1(Conv1 x)))) + DownsampleBn(Downsample x)).</summary>
    private static double[] ProjectedBlockReference(ProjectedBlockNet net, double[] x, int n)
    {
        var h1 = Relu(Bn(net, "Block.Bn1", Conv3x3(net, "Block.Conv1", x, n, 4, 8, 6, 2), n, 8, 9));
        var main = Bn(net, "Block.Bn2", Conv3x3(net, "Block.Conv2", h1, n, 8, 8, 3, 1), n, 8, 9);
        var projected = Reference.Conv(new ConvDims(4, 6, 6, 8, 1, 1, 2, 2, 0, 0, 3, 3), n, x, P(net, "Block.Downsample.weight"), null);
        return Relu(Sum(main, Bn(net, "Block.DownsampleBn", projected, n, 8, 9)));
    }

    /// <summary>Inference matches <paramref name="reference"/>, and again after <paramref name="parameter"/> is set to <paramref name="values"/>.</summary>
    private static void AssertInference<TModel>(TModel net, float[] x, int n, Func<TModel, double[], int, double[]> reference, string parameter, float[] values)
        where TModel : Model
    {
        Data.AssertClose(reference(net, Data.ToDouble(x), n), net.Forward(x, n), rel: 1e-4, abs: 1e-4, what: "y");
        values.CopyTo(net.GetParameter(parameter).Values);
        Data.AssertClose(reference(net, Data.ToDouble(x), n), net.Forward(x, n), rel: 1e-4, abs: 1e-4, what: "y after a new " + parameter);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void TinyResNet_Inference_MatchesTheDoubleReference_AndUsesChangedStatisticsAtOnce(int n)
    {
        var net = new TinyResNet(seed: 1);
        Randomize(net, 10);
        var x = Data.Uniform(n * 3 * 64, 2);
        // Then new running statistics of the batch norm the sum applies, written through a parameter view.
        AssertInference(net, x, n, TinyResNetReference, "Bn2.running_var", Data.Uniform(16, 99).Select(v => 1 + v).ToArray());

        // A training-mode forward moves every running statistic; the next inference uses them.
        var before = P(net, "Bn2.running_mean");
        net.Forward(Data.Uniform(4 * 3 * 64, 3), 4, training: true);
        Assert.NotEqual(before, P(net, "Bn2.running_mean"));
        Data.AssertClose(TinyResNetReference(net, Data.ToDouble(x), n), net.Forward(x, n), rel: 1e-4, abs: 1e-4, what: "after training");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ProjectedBlock_Inference_AppliesBothBranchNormsInTheSum_MatchingTheDoubleReference(int n)
    {
        var net = new ProjectedBlockNet(seed: 1);
        Randomize(net, 20);
        AssertInference(net, Data.Uniform(n * 4 * 36, 3), n, ProjectedBlockReference, "Block.DownsampleBn.bias", Data.Uniform(8, 98));
    }

    [Fact]
    public void TinyResNet_Inference_UsesChangedStatisticsOfAFoldedBatchNormAtOnce()
    {
        var net = new TinyResNet(seed: 1);
        Randomize(net, 30);
        // Conv1 folds Bn1 (and its ReLU) into its filters, and Stem folds StemBn; the sum applies Bn2.
        var layers = net.Layout.Summary.Layers;
        Assert.Equal(new[] { "Bn2", "Conv1", "Stem" }, net.Layout.InferenceFusedLayers.Select(i => layers[i].Name).Order(StringComparer.Ordinal).ToArray());
        var x = Data.Uniform(3 * 3 * 64, 4);
        AssertInference(net, x, 3, TinyResNetReference, "Bn1.running_mean", Data.Uniform(16, 97));
        AssertInference(net, x, 3, TinyResNetReference, "StemBn.weight", Data.Uniform(16, 96));
    }

    [Fact]
    public void FirstNonFiniteLayer_AfterInference_NamesTheFoldedBatchNorm_WhoseOutputTheConvolutionWrote()
    {
        var net = new TinyResNet(seed: 1);
        var x = Data.Uniform(2 * 3 * 64, 2);
        // A training forward leaves NaNs in Conv1's own output, which inference does not write again.
        net.GetParameter("Conv1.weight").Values[0] = float.NaN;
        net.Forward(x, 2, training: true);
        Assert.Equal("Conv1", net.FirstNonFiniteLayer());
        Randomize(net, 40);   // every parameter and statistic finite again
        net.Forward(x, 2);
        Assert.Null(net.FirstNonFiniteLayer());
        net.GetParameter("Bn1.running_var").Values[5] = -1f;   // √(var + eps) is NaN for that channel
        net.Forward(x, 2);
        Assert.Equal("Bn1", net.FirstNonFiniteLayer());
    }

    [Fact]
    public void FirstNonFiniteLayer_AfterInference_NamesTheSumThatAppliedTheBatchNorm()
    {
        var net = new TinyResNet(seed: 1);
        var x = Data.Uniform(2 * 3 * 64, 2);
        net.GetParameter("Bn2.weight").Values[3] = float.NaN;
        net.Forward(x, 2, training: true);
        Assert.Equal("Bn2", net.FirstNonFiniteLayer());
        net.Forward(x, 2);
        Assert.Equal("Block1", net.FirstNonFiniteLayer());
    }
}
