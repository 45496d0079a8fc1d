using ModelDsl.Generators.Model;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators.Tests;

/// <summary>The shape engine on its own: specs built by hand, cases from the course notes.</summary>
public class ShapeEngineTests
{
    private static LayerSpec Conv(int filters, int kernel, int stride = 1, int padding = 0, PadMode mode = PadMode.Explicit, bool bias = true, string name = "C", ActivationKind act = ActivationKind.None) =>
        LayerSpec.Create(name, LayerKind.Conv2D, "Conv2D") with
        {
            Units = filters, KernelH = kernel, KernelW = kernel, StrideH = stride, StrideW = stride,
            PadH = padding, PadW = padding, PadMode = mode, Bias = bias, Activation = act,
        };

    private static LayerSpec Pool(LayerKind kind, int size, int stride = 0, int padding = 0, PadMode mode = PadMode.Explicit, string name = "P") =>
        LayerSpec.Create(name, kind, kind.ToString()) with
        {
            KernelH = size, KernelW = size, StrideH = stride, StrideW = stride, PadH = padding, PadW = padding, PadMode = mode, Bias = false,
        };

    private static LayerSpec Dense(int units, string name = "D", ActivationKind act = ActivationKind.None) =>
        LayerSpec.Create(name, LayerKind.Dense, "Dense") with { Units = units, Activation = act };

    private static LayerSpec Act(ActivationKind act, string name = "A") =>
        LayerSpec.Create(name, LayerKind.Activation, act.ToString()) with { Activation = act, Bias = false };

    private static LayerSpec Dropout(double p, string name = "Drop") =>
        LayerSpec.Create(name, LayerKind.Dropout, "Dropout") with { Rate = p, Bias = false };

    /// <summary>Runs the engine; layers whose default names repeat get their index appended (names must be unique).</summary>
    private static ShapedModel Run(int[] input, params LayerSpec[] layers)
    {
        var unique = layers.Select((l, i) => layers.Count(o => o.Name == l.Name) > 1 ? l with { Name = l.Name + i } : l);
        return ShapeEngine.Run(new ModelSpec("", "M", "M.g.cs", EquatableArray<string>.Empty, false, input.ToEquatableArray(), false, unique.ToEquatableArray()));
    }

    [Fact]
    public void RepeatedLayerName_IsLeftToTheCompiler_AndNothingIsGenerated()
    {
        var model = ShapeEngine.Run(new ModelSpec("", "M", "M.g.cs", EquatableArray<string>.Empty, false, new[] { 4 }.ToEquatableArray(), false,
            new[] { Dense(2, "D"), Dense(3, "D") }.ToEquatableArray()));
        var problem = Assert.Single(model.Problems);
        Assert.Equal(ProblemKind.NotBound, problem.Kind);
        Assert.False(model.IsValid);
    }

    [Fact]
    public void CourseExample_32x32x3_TenFilters5x5_Stride1_Pad2_Gives32x32x10_With760Parameters()
    {
        var model = Run([3, 32, 32], Conv(10, 5, 1, 2));
        Assert.True(model.IsValid);
        Assert.Equal(Dims.Map(10, 32, 32), model.Layers[0].Out);
        Assert.Equal(760, model.Layers[0].Parameters); // (5·5·3 + 1)·10
    }

    [Fact]
    public void AlexNetConv1_227x227x3_96Filters11x11_Stride4_Gives55x55x96_With34944Parameters()
    {
        var model = Run([3, 227, 227], Conv(96, 11, 4));
        Assert.True(model.IsValid);
        Assert.Equal(Dims.Map(96, 55, 55), model.Layers[0].Out);
        Assert.Equal(34_944, model.Layers[0].Parameters); // 11·11·3·96 + 96
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 3)]
    public void SevenBySeven_ThreeByThree_GivesTheCourseSizes(int stride, int expected)
    {
        var model = Run([1, 7, 7], Conv(1, 3, stride));
        Assert.True(model.IsValid);
        Assert.Equal(expected, model.Layers[0].Out.H);
        Assert.Equal(expected, model.Layers[0].Out.W);
    }

    [Fact]
    public void SevenBySeven_ThreeByThree_Stride3_IsNotAnInteger_PointingAtTheStride()
    {
        var model = Run([1, 7, 7], Conv(1, 3, 3, name: "C1"));
        var problem = Assert.Single(model.Problems);
        Assert.Equal(ProblemKind.NonIntegerOutput, problem.Kind);
        Assert.Equal("Stride", problem.Argument);
        Assert.Equal(0, problem.LayerIndex);
        Assert.Contains("(7 − 3 + 0)/3 + 1 = 2.33", problem.Message);
        Assert.Contains("'C1'", problem.Message);
        // 4 + 2P divisible by 3: P = 1 (6) or P = 4 is beyond F − 1 = 2; so only P = 1.
        Assert.Equal([1], problem.FixPaddings);
        Assert.True(problem.FixSame);
    }

    [Fact]
    public void CourseExample_W10_F3_P0_S2_Gives4Point5_AndNoPaddingCanFixIt()
    {
        var model = Run([1, 10, 10], Conv(4, 3, 2, name: "C1"));
        var problem = Assert.Single(model.Problems);
        Assert.Equal(ProblemKind.NonIntegerOutput, problem.Kind);
        Assert.Contains("(10 − 3 + 0)/2 + 1 = 4.5 rows and (10 − 3 + 0)/2 + 1 = 4.5 columns", problem.Message);
        Assert.Empty(problem.FixPaddings); // 7 + 2P is odd for every P
        Assert.Contains("PaddingMode = Same gives 5×5", problem.Message);
    }

    [Fact]
    public void OnlyTheFailingAxisIsReported_WhenHeightAndWidthDiffer()
    {
        var model = Run([1, 9, 10], Conv(1, 3, 2));
        var problem = Assert.Single(model.Problems);
        Assert.Contains("4.5 columns", problem.Message);
        Assert.DoesNotContain("rows", problem.Message);
    }

    [Fact]
    public void PoolingWithImpliedStride_IsReportedOnTheSizeArgument()
    {
        var model = Run([1, 7, 7], Pool(LayerKind.MaxPool2D, 2));
        var problem = Assert.Single(model.Problems);
        Assert.Equal(ProblemKind.NonIntegerOutput, problem.Kind);
        Assert.Equal("Size", problem.Argument);
        Assert.Contains("(7 − 2 + 0)/2 + 1 = 3.5", problem.Message);
    }

    [Fact]
    public void KernelLargerThanPaddedInput_IsNonPositive()
    {
        var model = Run([1, 3, 3], Conv(1, 5));
        var problem = Assert.Single(model.Problems);
        Assert.Equal(ProblemKind.NonPositiveOutput, problem.Kind);
        Assert.Equal("Kernel", problem.Argument);
        Assert.Contains("(3 − 5 + 0)/1 + 1 = -1", problem.Message);
    }

    [Theory]
    [InlineData(0, 3, 1, 0, "Filters")]
    [InlineData(4, 0, 1, 0, "Kernel")]
    [InlineData(4, 3, 0, 0, "Stride")]
    [InlineData(4, 3, -1, 0, "Stride")]
    [InlineData(4, 3, 1, -2, "Padding")]
    public void InvalidConvHyperparameters_NameTheArgument(int filters, int kernel, int stride, int padding, string argument)
    {
        var problem = Assert.Single(Run([1, 8, 8], Conv(filters, kernel, stride, padding)).Problems);
        Assert.Equal(ProblemKind.InvalidHyperparameter, problem.Kind);
        Assert.Equal(argument, problem.Argument);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void DropoutOutsideZeroToOne_IsInvalid(double p)
    {
        var problem = Assert.Single(Run([10], Dropout(p)).Problems);
        Assert.Equal("P", problem.Argument);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 1, 2, 28, 28 })]
    [InlineData(new[] { 1, 0, 28 })]
    public void MissingOrMalformedInput_IsReportedOnTheModel(int[] input)
    {
        var problem = Assert.Single(Run(input, Dense(10)).Problems);
        Assert.Equal(-1, problem.LayerIndex);
        Assert.Equal("Input", problem.Argument);
    }

    [Fact]
    public void SamePadding_GivesCeilOfInputOverStride_WithTheExtraRowAtTheBottom()
    {
        var model = Run([1, 10, 10], Conv(1, 4, 2, mode: PadMode.Same));
        var layer = Assert.Single(model.Layers);
        Assert.Equal(5, layer.Out.H);
        // total padding (5 − 1)·2 + 4 − 10 = 2 → 1 before, 1 after; with F=3, S=1 on 10: total 2.
        Assert.Equal((1, 1), (layer.PadTop, layer.PadBottom));
        var odd = Assert.Single(Run([1, 10, 10], Conv(1, 4, 1, mode: PadMode.Same)).Layers);
        Assert.Equal(10, odd.Out.H);
        Assert.Equal((1, 2), (odd.PadTop, odd.PadBottom)); // total 3: the extra row goes to the bottom
    }

    [Fact]
    public void ConvAfterDense_IsInvalid()
    {
        var problem = Assert.Single(Run([1, 8, 8], Dense(10), Conv(1, 3)).Problems);
        Assert.Equal(1, problem.LayerIndex);
        Assert.Contains("flat", problem.Message);
    }

    [Fact]
    public void ModernLeNet5_Has61706Parameters_AndTheCourseShapes()
    {
        var model = Run([1, 28, 28],
            Conv(6, 5, padding: 2), Act(ActivationKind.Tanh), Pool(LayerKind.AvgPool2D, 2),
            Conv(16, 5), Act(ActivationKind.Tanh), Pool(LayerKind.AvgPool2D, 2),
            Dense(120, act: ActivationKind.Tanh), Dense(84, act: ActivationKind.Tanh), Dense(10));
        Assert.True(model.IsValid);
        Assert.Equal(61_706, model.TotalParameters);
        Assert.Equal(
            [Dims.Map(6, 28, 28), Dims.Map(6, 28, 28), Dims.Map(6, 14, 14), Dims.Map(16, 10, 10), Dims.Map(16, 10, 10),
             Dims.Map(16, 5, 5), Dims.Vector(120), Dims.Vector(84), Dims.Vector(10)],
            model.Layers.Select(l => l.Out));
    }

    [Fact]
    public void ReceptiveField_GrowsByFMinusOneTimesTheJump()
    {
        // Three stacked 3×3 stride-1 convs see 1 + 2·3 = 7 pixels; a 2×2 stride-2 pool then adds 1 and doubles the jump.
        var model = Run([1, 32, 32], Conv(1, 3, padding: 1), Conv(1, 3, padding: 1), Conv(1, 3, padding: 1),
            Pool(LayerKind.MaxPool2D, 2), Conv(1, 3, padding: 1));
        Assert.Equal([3, 5, 7, 8, 12], model.Layers.Select(l => l.ReceptiveField));
    }

    [Fact]
    public void Flops_CountMultiplyAddsTwice_PlusBias()
    {
        var conv = Assert.Single(Run([3, 8, 8], Conv(4, 3, padding: 1)).Layers);
        Assert.Equal(2L * 4 * 3 * 3 * 3 * 8 * 8 + 4 * 8 * 8, conv.Flops);
        var dense = Assert.Single(Run([100], Dense(10)).Layers);
        Assert.Equal(2L * 100 * 10 + 10, dense.Flops);
    }

    [Fact]
    public void WeightInitializer_IsHeBeforeReLU_AndGlorotOtherwise()
    {
        var model = Run([1, 8, 8], Conv(2, 3), Pool(LayerKind.MaxPool2D, 2), Act(ActivationKind.ReLU), Dense(4, act: ActivationKind.Tanh), Dense(3, act: ActivationKind.ReLU), Dense(2));
        Assert.Equal(
            [WeightInit.HeUniform, WeightInit.HeUniform, WeightInit.HeUniform, WeightInit.GlorotUniform, WeightInit.HeUniform, WeightInit.GlorotUniform],
            model.Layers.Select(l => l.Kind() == LayerKind.Conv2D || l.Kind() == LayerKind.Dense ? l.Init : WeightInit.HeUniform));
    }

    [Fact]
    public void HugeNumbers_AreProblems_NotOverflows()
    {
        Assert.Single(Run([1, 28, 28], Conv(int.MaxValue, 3)).Problems);
        Assert.Single(Run([int.MaxValue, int.MaxValue, int.MaxValue], Dense(1)).Problems);
        Assert.Single(Run([1, 28, 28], Conv(1, int.MaxValue)).Problems);
        Assert.Single(Run([1, 28, 28], Dense(int.MaxValue)).Problems);
        Assert.Single(Run([1, 28, 28], Conv(1, 3, int.MaxValue)).Problems);
        Assert.Single(Run([1, 28, 28], Conv(1, 3, 1, int.MaxValue)).Problems);
    }
}

internal static class ShapedLayerExtensions
{
    public static LayerKind Kind(this ShapedLayer layer) => layer.Spec.Kind;
}
