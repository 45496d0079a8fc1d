using Microsoft.ML.OnnxRuntime;

using ModelDsl.Zoo;

namespace ModelDsl.Onnx.Tests;

/// <summary>
/// ONNX Runtime, an independent implementation of every operator, runs the exported file; its output must
/// match ModelDsl's CPU forward in evaluation mode to 1e-4 relative (to each value, or to 1 % of the
/// output's largest value for values near zero, where summation order dominates).
/// </summary>
public class OnnxExporterTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void CourseLeNet_OnnxRuntimeMatchesTheForward() =>
        AssertSameOutputs(new CourseLeNet(11), batch: 3);

    [Fact]
    public void LeNet5_TanhAveragePoolAndPadding_OnnxRuntimeMatchesTheForward() =>
        AssertSameOutputs(new LeNet5(12), batch: 2);

    [Fact]
    public void CifarResNet18_WithBatchNormStatistics_OnnxRuntimeMatchesTheForward()
    {
        var model = new CifarResNet18(13);
        RandomizeBatchNorm(model, seed: 5);
        AssertSameOutputs(model, batch: 2, new OnnxExportOptions { Inputs = OnnxExporter.BlockInputs(model, "Downsample") });
    }

    [Fact]
    public void SmallVgg_DropoutLeftOut_OnnxRuntimeMatchesTheForward() =>
        AssertSameOutputs(new SmallVgg(14), batch: 4);

    [Fact]
    public void StrideDilationGroupsSigmoidAndGlobalPool_OnnxRuntimeMatchesTheForward() =>
        AssertSameOutputs(new ConvVariants(15), batch: 3);

    [Fact]
    public void ResNetWithAShortcutReadFromTheWrongLayer_DoesNotMatch()
    {
        // The comparison has teeth: a same-shaped but wrong shortcut source changes the output.
        var model = new CifarResNet18(13);
        RandomizeBatchNorm(model, seed: 5);
        var inputs = new Dictionary<string, string>(OnnxExporter.BlockInputs(model, "Downsample")) { ["Layer1.0.Downsample"] = "Layer1.0.Bn1" };
        var (expected, actual) = Outputs(model, batch: 1, new OnnxExportOptions { Inputs = inputs });
        Assert.True(MaxRelativeError(expected, actual) > 1e-2);
    }

    [Fact]
    public void ResNetExportedWithoutTheShortcutInputs_IsRefusedAtTheFirstShapeThatDiffers()
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new CifarResNet18(1), new MemoryStream()));
        Assert.Contains("'Layer2.0.Downsample' takes (N, 64, 32, 32)", e.Message, StringComparison.Ordinal);
        Assert.Contains("OnnxExportOptions.Inputs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BlockInputs_MapEachProjectionToTheOutputBeforeItsBlock()
    {
        var inputs = OnnxExporter.BlockInputs(new CifarResNet18(1), "Downsample");
        Assert.Equal(8, inputs.Count);
        Assert.Equal("Bn1", inputs["Layer1.0.Downsample"]);
        Assert.Equal("Layer1.0.Out", inputs["Layer1.1.Downsample"]);
        Assert.Equal("Layer1.1.Out", inputs["Layer2.0.Downsample"]);
        Assert.Equal("Layer3.1.Out", inputs["Layer4.0.Downsample"]);
    }

    [Fact]
    public void UnsupportedLayer_IsRefusedNamingIt()
    {
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(new WithLeakyReLU(1), new MemoryStream()));
        Assert.Contains("'Leaky'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InputsNamingAnUnknownLayer_AreRefused()
    {
        var options = new OnnxExportOptions { Inputs = new Dictionary<string, string> { ["Conv9"] = "input" } };
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new CourseLeNet(1), new MemoryStream(), options));
        Assert.Contains("'Conv9'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportedFile_DeclaresASymbolicBatchAndTheModelsShapes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"modeldsl-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(new CourseLeNet(1), path);
            using var session = new InferenceSession(path);
            Assert.Equal(new[] { -1, 1, 28, 28 }, session.InputMetadata[OnnxExporter.InputName].Dimensions);
            Assert.Equal("N", session.InputMetadata[OnnxExporter.InputName].SymbolicDimensions[0]);
            Assert.Equal(new[] { -1, 10 }, session.OutputMetadata[OnnxExporter.OutputName].Dimensions);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertSameOutputs(Model model, int batch, OnnxExportOptions? options = null)
    {
        var (expected, actual) = Outputs(model, batch, options);
        Assert.Equal(expected.Length, actual.Length);
        var error = MaxRelativeError(expected, actual);
        Assert.True(error <= Tolerance, $"{model.GetType().Name}: ONNX Runtime differs from the forward by {error:E2} (relative), more than {Tolerance:E0}.");
    }

    private static (float[] Expected, float[] Actual) Outputs(Model model, int batch, OnnxExportOptions? options)
    {
        var rng = new Rng(99);
        var input = new float[batch * model.InputShape.Size];
        for (var i = 0; i < input.Length; i++) input[i] = rng.NextSymmetric(1f);
        var expected = model.Forward(input, batch).ToArray();

        var stream = new MemoryStream();
        OnnxExporter.Export(model, stream, options);
        using var session = new InferenceSession(stream.ToArray());
        long[] dims = [batch, model.InputShape.C, model.InputShape.H, model.InputShape.W];
        using var value = OrtValue.CreateTensorValueFromMemory(input, dims);
        using var results = session.Run(new RunOptions(), [OnnxExporter.InputName], [value], [OnnxExporter.OutputName]);
        return (expected, results[0].GetTensorDataAsSpan<float>().ToArray());
    }

    /// <summary>max |a − e| / max(|e|, 1 % of max |e|).</summary>
    private static double MaxRelativeError(float[] expected, float[] actual)
    {
        var floor = 0.01 * expected.Max(v => Math.Abs((double)v));
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs((double)actual[i] - expected[i]) / Math.Max(Math.Abs((double)expected[i]), floor));
        return worst;
    }

    /// <summary>Batch-norm scales, shifts and running statistics away from their 1/0 defaults, so each is seen to be wired.</summary>
    private static void RandomizeBatchNorm(Model model, int seed)
    {
        var rng = new Rng((ulong)seed);
        foreach (var layer in model.Layout.Summary.Layers.Where(l => l.Kind == "BatchNorm"))
        {
            Fill(model.GetParameter(layer.Name + ".weight").Values, 1f, 0.5f, ref rng);
            Fill(model.GetParameter(layer.Name + ".bias").Values, 0f, 0.1f, ref rng);
            Fill(model.GetParameter(layer.Name + ".running_mean").Values, 0f, 0.1f, ref rng);
            Fill(model.GetParameter(layer.Name + ".running_var").Values, 1f, 0.5f, ref rng);
        }

        static void Fill(Span<float> values, float center, float spread, ref Rng rng)
        {
            for (var i = 0; i < values.Length; i++) values[i] = center + rng.NextSymmetric(spread);
        }
    }
}
