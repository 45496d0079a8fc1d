using ModelDsl.Generators.Model;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators.Tests;

/// <summary>Warnings and information from the shape engine leave the model valid and every layer shaped.</summary>
public class ShapeReviewTests
{
    private static ShapedModel Run(int[] input, RoundingMode rounding, params LayerSpec[] layers) =>
        ShapeEngine.Run(new ModelSpec("", "M", "M.g.cs", EquatableArray<string>.Empty, false, input.ToEquatableArray(), false, layers.ToEquatableArray(), rounding));

    private static LayerSpec Conv(string name, int filters, int kernel, int stride, int padding, bool bias) =>
        LayerSpec.Create(name, LayerKind.Conv2D, "Conv2D") with
        {
            Units = filters, KernelH = kernel, KernelW = kernel, StrideH = stride, StrideW = stride, PadH = padding, PadW = padding, Bias = bias,
        };

    [Fact]
    public void Warnings_KeepTheModelValid_WithEveryLayerShaped()
    {
        var model = Run([1, 10, 10], RoundingMode.Floor,
            Conv("C1", 4, 3, 2, 0, bias: true),
            LayerSpec.Create("Bn", LayerKind.BatchNorm, "BatchNorm"),
            LayerSpec.Create("D", LayerKind.Dense, "Dense") with { Units = 10, Activation = ActivationKind.Softmax });

        Assert.True(model.IsValid);
        Assert.Equal(3, model.Layers.Count);
        Assert.Equal(
            [(ProblemKind.RoundingDropsInput, 0, ProblemSeverity.Warning), (ProblemKind.BiasBeforeBatchNorm, 0, ProblemSeverity.Warning), (ProblemKind.SoftmaxLastLayer, 2, ProblemSeverity.Warning)],
            model.Problems.Select(p => (p.Kind, p.LayerIndex, p.Severity)));
    }

    [Fact]
    public void TorchvisionResNetStem_SkipsOnlyPadding_AndGetsNothing()
    {
        var model = Run([3, 224, 224], RoundingMode.Floor,
            Conv("Conv1", 64, 7, 2, 3, bias: false),
            LayerSpec.Create("Pool", LayerKind.MaxPool2D, "MaxPool2D") with { KernelH = 3, KernelW = 3, StrideH = 2, StrideW = 2, PadH = 1, PadW = 1 },
            Conv("Shortcut", 128, 1, 2, 0, bias: false));

        Assert.Empty(model.Problems);
        Assert.Equal(Dims.Map(128, 28, 28), model.Output);
    }

    [Fact]
    public void AnError_StopsInference_AndNoWarningIsAdded()
    {
        var model = Run([1, 10, 10], RoundingMode.Strict,
            Conv("C1", 4, 3, 1, 0, bias: true),
            LayerSpec.Create("Bn", LayerKind.BatchNorm, "BatchNorm"),
            Conv("C2", 4, 3, 2, 0, bias: false));

        Assert.False(model.IsValid);
        Assert.Equal([ProblemKind.NonIntegerOutput], model.Problems.Select(p => p.Kind));
    }
}
