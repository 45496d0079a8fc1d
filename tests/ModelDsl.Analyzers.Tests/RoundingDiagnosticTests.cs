using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>MDL0007: Floor/Ceil rounding is a warning only when real input rows or columns are never read.</summary>
public class RoundingDiagnosticTests
{
    [Fact]
    public Task FloorThatDropsARealRowAndColumn_IsReportedOnTheRoundingArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 10, 10])]
        public partial class Net
        {
            // Conv2D 'C1': Floor drops 1 row at the bottom ((10 − 3 + 0)/2 + 1 = 4.5 → 4) and 1 column at the right ((10 − 3 + 0)/2 + 1 = 4.5 → 4) of the 10×10 input; no window reads them, so what they hold is lost. Choose a padding that makes the windows fit exactly, or PaddingMode = Same
            [Conv2D(4, Kernel = 3, Stride = 2, {|MDL0007:Rounding = Rounding.Floor|})] partial Layer C1 { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task ModelWideFloor_IsReportedOnTheLayerThatDrops_OneAxisOnly() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 9, 10], Rounding = Rounding.Floor)]
        public partial class Net
        {
            // Conv2D 'C1': Floor drops 1 column at the right ((10 − 3 + 0)/2 + 1 = 4.5 → 4) of the 9×10 input; no window reads them, so what they hold is lost. Choose a padding that makes the windows fit exactly, or PaddingMode = Same
            [{|MDL0007:Conv2D(4, Kernel = 3, Stride = 2)|}] partial Layer C1 { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task FloorOnASequence_NamesTheEnd() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [2, 12])]
        public partial class Net
        {
            // Conv1D 'C1': Floor drops 1 position at the end ((12 − 5 + 0)/3 + 1 = 3.33 → 3) of the 12-long input; no window reads them, so what they hold is lost. Choose a padding that makes the windows fit exactly, or PaddingMode = Same
            [Conv1D(4, Kernel = 5, Stride = 3, {|MDL0007:Rounding = Rounding.Floor|})] partial Layer C1 { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """);

    /// <summary>
    /// torchvision's ResNet stem on 224×224: (224 − 7 + 6)/2 + 1 = 112.5 → 112 skips one row of bottom padding
    /// only; its max-pool and the strided 1×1 shortcut (which skips every other row anyway) lose nothing either.
    /// </summary>
    [Fact]
    public Task FloorThatSkipsOnlyPadding_IsSilent() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 224, 224], Rounding = Rounding.Floor)]
        public partial class Stem
        {
            [Conv2D(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] partial Layer Conv1 { get; }
            [BatchNorm, ReLU]                                               partial Layer Bn1 { get; }
            [MaxPool2D(3, Stride = 2, Padding = 1)]                         partial Layer Pool { get; }
            [Conv2D(128, Kernel = 3, Stride = 2, Padding = 1)]              partial Layer Down { get; }
            [Conv2D(128, Stride = 2, From = nameof(Pool))]                  partial Layer Shortcut { get; }
            [Add(nameof(Down), nameof(Shortcut))]                           partial Layer Sum { get; }
            [Dense(10)]                                                     partial Layer Logits { get; }
        }
        """);

    /// <summary>AlexNet's first convolution: (224 − 11 + 4)/4 + 1 = 55.25 → 55 leaves only the last padding column unread.</summary>
    [Fact]
    public Task AlexNetConv1Floor_IsSilent() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 224, 224])]
        public partial class Net
        {
            [Conv2D(64, Kernel = 11, Stride = 4, Padding = 2, Rounding = Rounding.Floor), ReLU] partial Layer Conv1 { get; }
            [Dense(10)]                                                                       partial Layer Logits { get; }
        }
        """);

    /// <summary>Ceil windows that hang over the border read padding there: nothing is lost.</summary>
    [Fact]
    public Task CeilWindowsOverTheBorder_AreSilent() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [8, 112, 112])]
        public partial class Net
        {
            [MaxPool2D(3, Stride = 2, Rounding = Rounding.Ceil)] partial Layer Pool { get; }
            [Dense(10)]                                          partial Layer Logits { get; }
        }
        """);
}
