using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>MDL0003: hyperparameters outside their domain and invalid declarations.</summary>
public class HyperparameterDiagnosticTests
{
    [Fact]
    public Task KernelZero_IsReportedOnTheKernelArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // Conv2D 'C1' has Kernel = 0; the window size F must be at least 1
            [Conv2D(6, {|MDL0003:Kernel = 0|})] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task NegativeConvStride_IsReportedOnTheStrideArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // Conv2D 'C1' has Stride = -1; the stride S must be at least 1
            [Conv2D(6, Kernel = 3, {|MDL0003:Stride = -1|})] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task NegativePoolStride_IsReportedOnTheStrideArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // MaxPool2D 'P1' has Stride = -2; the stride S must be at least 1
            [MaxPool2D(2, {|MDL0003:Stride = -2|})] partial Layer P1 { get; }
        }
        """);

    [Fact]
    public Task NegativePadding_IsReportedOnThePaddingArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // Conv2D 'C1' has Padding = -1; the padding P must be 0 or more
            [Conv2D(6, Kernel = 3, {|MDL0003:Padding = -1|})] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task PoolPaddingOverHalfTheWindow_IsReportedOnThePaddingArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // AvgPool2D 'P1' has Padding = 2 with a 2×2 window; pooling padding must be at most half the window (1), or some windows would see only padding
            [AvgPool2D(2, {|MDL0003:Padding = 2|})] partial Layer P1 { get; }
        }
        """);

    [Fact]
    public Task UndefinedPaddingMode_IsReportedOnThePaddingModeArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // Conv2D 'C1' has PaddingMode = 7; use Explicit, Valid or Same
            [Conv2D(6, Kernel = 3, {|MDL0003:PaddingMode = (PaddingMode)7|})] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task ZeroFilters_IsReportedOnThePositionalArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // Conv2D 'C1' has Filters = 0; the number of filters K must be at least 1
            [Conv2D({|MDL0003:0|}, Kernel = 3)] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task ZeroFilters_WrittenByParameterName_IsReportedOnThatArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // Conv2D 'C1' has Filters = 0; the number of filters K must be at least 1
            [Conv2D({|MDL0003:filters: 0|}, Kernel = 3)] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task DropoutOfOne_IsReportedOnThePArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [784])]
        public partial class Net
        {
            [Dense(100), ReLU] partial Layer F1 { get; }
            // Dropout 'D1' has p = 1; the drop probability p must be in [0, 1)
            [Dropout({|MDL0003:1.0|})] partial Layer D1 { get; }
        }
        """);

    [Fact]
    public Task NegativeDropout_IsReportedOnThePArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [784])]
        public partial class Net
        {
            // Dropout 'D1' has p = -0.1; the drop probability p must be in [0, 1)
            [Dropout({|MDL0003:-0.1|})] partial Layer D1 { get; }
        }
        """);

    [Fact]
    public Task DenseWithZeroUnits_IsReportedOnTheUnitsArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // Dense 'F1' has Units = 0; the number of outputs must be at least 1
            [Dense({|MDL0003:0|})] partial Layer F1 { get; }
        }
        """);

    [Fact]
    public Task MissingInput_IsReportedOnTheModelAttribute() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        // Model 'Net' declares no input shape; write Input = [C, H, W] (e.g. [1, 28, 28]) or Input = [features]
        [{|MDL0003:Model|}]
        public partial class Net
        {
            [Dense(10)] partial Layer F1 { get; }
        }
        """);

    [Fact]
    public Task TwoDimensionalInput_IsReportedOnTheInputArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        // Model 'Net' declares Input = [28, 28]; the input shape must be [C, H, W] or [features]
        [Model({|MDL0003:Input = [28, 28]|})]
        public partial class Net
        {
            [Dense(10)] partial Layer F1 { get; }
        }
        """);

    [Fact]
    public Task NonPositiveInputDimension_IsReportedOnTheInputArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        // Model 'Net' declares Input = [1, 0, 28]; every dimension must be at least 1
        [Model({|MDL0003:Input = [1, 0, 28]|})]
        public partial class Net
        {
            [Dense(10)] partial Layer F1 { get; }
        }
        """);

    [Fact]
    public Task TwoLayerAttributesOnOneProperty_AreReportedOnTheLayerAttribute() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // 'C1' declares Conv2D and MaxPool2D; a property declares one layer (an activation may stand beside it)
            [{|MDL0003:Conv2D(6, Kernel = 5)|}, MaxPool2D(2)] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task ConvolutionAfterDense_IsReportedOnTheWholeAttribute() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            [Dense(100)] partial Layer F1 { get; }
            // Conv2D 'C2' needs a (C, H, W) input, but its input is flat: (N, 100); move it before the first Dense or Flatten layer
            [{|MDL0003:Conv2D(6, Kernel = 3)|}] partial Layer C2 { get; }
        }
        """);
}
