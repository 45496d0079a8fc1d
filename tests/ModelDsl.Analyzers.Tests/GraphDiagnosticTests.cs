using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>MDL0004 (unknown name), MDL0005 (self or later layer) and MDL0006 (merged shapes that do not fit).</summary>
public class GraphDiagnosticTests
{
    [Fact]
    public Task UnknownFrom_IsReportedOnThatArgument_WithTheClosestName() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            [Conv2D(4, Kernel = 3, Padding = 1)] partial Layer Stem { get; }
            [ReLU] partial Layer Act { get; }
            // Conv2D 'Side' reads 'Stme', which is not a layer of 'Net'; did you mean 'Stem'?
            [Conv2D(4, Kernel = 1, {|MDL0004:From = "Stme"|})] partial Layer Side { get; }
        }
        """);

    [Fact]
    public Task LaterLayerInAdd_IsReportedOnThatName() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            [Conv2D(4, Kernel = 3, Padding = 1)] partial Layer A { get; }
            // Add 'Sum' reads 'B', which is declared after it; a layer reads earlier layers only (order = data flow), so move 'B' up or this layer down
            [Add(nameof(A), {|MDL0005:nameof(B)|})] partial Layer Sum { get; }
            [Conv2D(4, Kernel = 1, From = nameof(A))] partial Layer B { get; }
        }
        """);

    [Fact]
    public Task LayerReadingItself_IsACycle() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            [Conv2D(4, Kernel = 3, Padding = 1)] partial Layer A { get; }
            // Conv2D 'Loop' reads its own output; a layer reads earlier layers only, so the network has no cycles
            [Conv2D(4, Kernel = 1, {|MDL0005:From = nameof(Loop)|})] partial Layer Loop { get; }
        }
        """);

    [Fact]
    public Task ResidualWithDifferentChannelsAndStride_SuggestsAStridedProjection() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 32, 32])]
        public partial class Net
        {
            [Conv2D(16, Kernel = 3, Padding = 1)] partial Layer A { get; }
            [Conv2D(32, Kernel = 4, Stride = 2, Padding = 1)] partial Layer B { get; }
            // Add 'Sum' needs one shape, but 'A' gives (N, 16, 32, 32) and 'B' gives (N, 32, 16, 16): channels 16 vs 32, H×W 32×32 vs 16×16 differ; project 'A' with [Conv2D(32, Kernel = 1, Stride = 2, PaddingMode = PaddingMode.Same)] first
            [Add(nameof(A), {|MDL0006:nameof(B)|})] partial Layer Sum { get; }
        }
        """);

    [Fact]
    public Task ResidualWithTheMainBranchFirst_SuggestsProjectingTheShortcut() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            [Conv2D(16, Kernel = 3, Padding = 1)] partial Layer Shortcut { get; }
            [Conv2D(32, Kernel = 3, Padding = 1)] partial Layer Main { get; }
            // Add 'Sum' needs one shape, but 'Main' gives (N, 32, 8, 8) and 'Shortcut' gives (N, 16, 8, 8): channels 32 vs 16 differ; project 'Shortcut' with [Conv2D(32, Kernel = 1)] first
            [Add(nameof(Main), {|MDL0006:nameof(Shortcut)|})] partial Layer Sum { get; }
        }
        """);

    [Fact]
    public Task ConcatOfDifferentSizes_NamesBothShapes() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 16, 16])]
        public partial class Net
        {
            [Conv2D(8, Kernel = 1)] partial Layer A { get; }
            [MaxPool2D(2)] partial Layer B { get; }
            // Concat 'Mixed' needs equal H×W, but 'A' gives (N, 8, 16, 16) and 'B' gives (N, 8, 8, 8): H×W 16×16 vs 8×8 differ
            [Concat(nameof(A), {|MDL0006:nameof(B)|})] partial Layer Mixed { get; }
        }
        """);

    [Fact]
    public Task MultiplyByAScaleOfTheWrongWidth_IsReportedOnTheScale() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 16, 16])]
        public partial class Net
        {
            [Conv2D(16, Kernel = 3, Padding = 1)] partial Layer Features { get; }
            [GlobalAvgPool] partial Layer Squeeze { get; }
            [Dense(8), Sigmoid] partial Layer Gate { get; }
            // Multiply 'Excite' scales each channel of 'Features' (N, 16, 16, 16) by 'Gate' (N, 8), which must be one value per channel: (N, 16)
            [Multiply(nameof(Features), {|MDL0006:nameof(Gate)|})] partial Layer Excite { get; }
        }
        """);

    [Fact]
    public Task ValidGraph_WithResidualConcatAndExcitation_HasNoDiagnostics() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 16, 16])]
        public partial class Net
        {
            [Conv2D(16, Kernel = 3, Padding = 1, Bias = false)] partial Layer Stem { get; }
            [BatchNorm, ReLU] partial Layer Bn { get; }
            [Conv2D(16, Kernel = 3, Padding = 1)] partial Layer Body { get; }
            [Add(nameof(Bn), nameof(Body)), ReLU] partial Layer Residual { get; }
            [GlobalAvgPool] partial Layer Squeeze { get; }
            [Dense(4), ReLU] partial Layer Reduce { get; }
            [Dense(16), Sigmoid] partial Layer Expand { get; }
            [Multiply(nameof(Residual), nameof(Expand))] partial Layer Excite { get; }
            [Conv2D(8, Kernel = 1, From = nameof(Excite))] partial Layer Left { get; }
            [Conv2D(8, Kernel = 3, Padding = 1, From = nameof(Excite))] partial Layer Right { get; }
            [Concat(nameof(Left), nameof(Right))] partial Layer Mixed { get; }
            [GlobalAvgPool] partial Layer Pool { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """);
}
