using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>MDL0008–MDL0012: valid declarations that waste parameters, pad unevenly, see too little or fight the loss.</summary>
public class DesignDiagnosticTests
{
    [Fact]
    public Task ConvBiasBeforeBatchNorm_IsReportedOnTheAttribute_WhenBiasIsNotWritten() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            // Conv2D 'C1' adds a bias of 16 values, but BatchNorm 'Bn1' right after it subtracts each channel's mean, which removes any bias: set Bias = false (the batch norm's own shift β takes its place)
            [{|MDL0008:Conv2D(16, Kernel = 3, Padding = 1)|}] partial Layer C1 { get; }
            [BatchNorm, ReLU] partial Layer Bn1 { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task ConvBiasBeforeBatchNorm_IsReportedOnTheBiasArgument_ForEveryConvolutionKind() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 16])]
        public partial class Net
        {
            // Conv1D 'C1' adds a bias of 8 values, but BatchNorm 'Bn1' right after it subtracts each channel's mean, which removes any bias: set Bias = false
            [Conv1D(8, Kernel = 3, Padding = 1, {|MDL0008:Bias = true|})] partial Layer C1 { get; }
            [BatchNorm(Affine = false)] partial Layer Bn1 { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task ConvBias_WithAnActivationBetween_OrAnotherReader_IsSilent() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            [Conv2D(16, Kernel = 3, Padding = 1), ReLU] partial Layer C1 { get; }
            [BatchNorm]                                 partial Layer Bn1 { get; }
            [Conv2D(16, Kernel = 3, Padding = 1)]       partial Layer C2 { get; }
            [BatchNorm]                                 partial Layer Bn2 { get; }
            [Add(nameof(C2), nameof(Bn2))]              partial Layer Sum { get; }
            [Dense(10)]                                 partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task ConvBiasBeforeBatchNorm_InABlock_IsReportedAtTheUse() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        public sealed partial class ConvBn : Block
        {
            public int Width { get; set; }

            [Conv2D(0, FiltersOf = "Width", Kernel = 3, Padding = 1)] partial Layer Conv { get; }
            [BatchNorm, ReLU]                                          partial Layer Bn { get; }
        }

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            // Conv2D 'Stage.Conv' adds a bias of 32 values, but BatchNorm 'Stage.Bn' right after it subtracts each channel's mean, which removes any bias: set Bias = false (the batch norm's own shift β takes its place)
            [{|MDL0008:ConvBn(Width = 32)|}] partial Layer Stage { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task EvenKernelWithSame_SaysWhichSideGetsTheExtraRowAndColumn() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            // Conv2D 'C1' has an even 4×4 kernel with PaddingMode = Same: its 3 padding rows split 1 above and 2 below, and its 3 padding columns split 1 on the left and 2 on the right, so the extra padding goes at the bottom and right and each output is centred half a step off its input position. Use an odd kernel, or explicit Padding if the shift is intended
            [Conv2D(8, Kernel = 4, {|MDL0009:PaddingMode = PaddingMode.Same|})] partial Layer C1 { get; }
            [Dense(10)] partial Layer Logits { get; }
        }

        [Model(Input = [3, 16])]
        public partial class Sequence
        {
            // Conv1D 'C1' has an even 2 kernel with PaddingMode = Same: its 1 padding position goes at the end, none at the start, so the extra padding goes at the end and each output is centred half a step off its input position. Use an odd kernel, or explicit Padding if the shift is intended
            [Conv1D(8, Kernel = 2, {|MDL0009:PaddingMode = PaddingMode.Same|})] partial Layer C1 { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task OddKernelWithSame_EvenPoolWithSame_AndAnEvenStridedFit_AreSilent() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            [Conv2D(8, Kernel = 3, PaddingMode = PaddingMode.Same)]             partial Layer C1 { get; }
            [Conv2D(8, Kernel = 2, Stride = 2, PaddingMode = PaddingMode.Same)] partial Layer C2 { get; }
            [MaxPool2D(2, Stride = 1, PaddingMode = PaddingMode.Same)]          partial Layer P1 { get; }
            [Dense(10)]                                                         partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task GlobalPoolOverFeaturesThatSeePartOfTheInput_IsInformation() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            [Conv2D(8, Kernel = 5), ReLU] partial Layer C1 { get; }
            [MaxPool2D(2)]                partial Layer P1 { get; }
            [Conv2D(16, Kernel = 3), ReLU] partial Layer C2 { get; }
            // GlobalAvgPool 'Gap' pools 'C2', whose receptive field is 10×10 of the 28×28 input: each pooled feature sees only part of the input, so the model cannot relate parts farther apart than that. More or larger strided layers widen it
            [{|MDL0010:GlobalAvgPool|}] partial Layer Gap { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task DenseHead_AndGlobalPoolOverTheWholeInput_AreSilent() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 8, 8])]
        public partial class Flat
        {
            [Conv2D(8, Kernel = 3), ReLU] partial Layer C1 { get; }
            [Dense(10)]                   partial Layer Logits { get; }
        }

        [Model(Input = [1, 9, 9])]
        public partial class Wide
        {
            [Conv2D(8, Kernel = 3, Padding = 1), ReLU]            partial Layer C1 { get; }
            [Conv2D(8, Kernel = 3, Stride = 2, Padding = 1), ReLU] partial Layer C2 { get; }
            [Conv2D(8, Kernel = 3, Padding = 1), ReLU]            partial Layer C3 { get; }
            [GlobalMaxPool]                                        partial Layer Gmp { get; }
            [Dense(10)]                                            partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task SoftmaxAsTheLastLayer_IsReportedOnTheSoftmax() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [20])]
        public partial class Alone
        {
            [Dense(10)] partial Layer Logits { get; }
            // Softmax 'Probabilities' is the model's last layer, but the training loss Loss.SoftmaxCrossEntropy applies softmax to the outputs itself, so it would be applied twice; remove the Softmax and train on the logits (apply softmax only to read probabilities)
            [{|MDL0011:Softmax|}] partial Layer Probabilities { get; }
        }

        [Model(Input = [20])]
        public partial class Fused
        {
            // Dense 'Out' ends the model with a Softmax, but the training loss Loss.SoftmaxCrossEntropy applies softmax to the outputs itself, so it would be applied twice; remove the Softmax and train on the logits (apply softmax only to read probabilities)
            [Dense(10), {|MDL0011:Softmax|}] partial Layer Out { get; }
        }
        """);

    [Fact]
    public Task DropoutAsTheLastLayer_IsReported() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [20])]
        public partial class Net
        {
            [Dense(10)] partial Layer Logits { get; }
            // Dropout 'Drop' is the model's last layer: while training it zeroes a fraction 0.5 of the outputs the loss sees, and at inference it does nothing; remove it, or move it before the last Dense layer
            [{|MDL0012:Dropout(0.5)|}] partial Layer Drop { get; }
        }
        """);

    [Fact]
    public Task SoftmaxAndDropoutBeforeTheLastLayer_AreSilent() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [20])]
        public partial class Net
        {
            [Dense(16), Softmax] partial Layer Attention { get; }
            [Dropout(0.5)]       partial Layer Drop { get; }
            [Dense(10)]          partial Layer Logits { get; }
        }
        """);

    [Fact]
    public async Task WarningsAndInformation_HaveTheirSeverity_AndComeOnlyWithoutErrors()
    {
        var compilation = TestCompilation.Create("""
            using ModelDsl;

            [Model(Input = [1, 28, 28])]
            public partial class Advised
            {
                [Conv2D(8, Kernel = 3)]   partial Layer C1 { get; }
                [BatchNorm]               partial Layer Bn1 { get; }
                [GlobalAvgPool]           partial Layer Gap { get; }
                [Dense(10), Softmax]      partial Layer Out { get; }
            }

            [Model(Input = [1, 28, 28])]
            public partial class Broken
            {
                [Conv2D(8, Kernel = 3)]   partial Layer C1 { get; }
                [BatchNorm]               partial Layer Bn1 { get; }
                [Conv2D(8, Kernel = 3, Stride = 2)] partial Layer C2 { get; }
                [Dense(10), Softmax]      partial Layer Out { get; }
            }
            """);
        var reported = (await TestCompilation.AnalyzeAsync(compilation)).Select(d => $"{d.Id} {d.Severity}");
        Assert.Equal(["MDL0008 Warning", "MDL0010 Info", "MDL0011 Warning", "MDL0001 Error"], reported);
    }
}
