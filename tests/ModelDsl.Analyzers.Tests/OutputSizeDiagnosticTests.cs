using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>MDL0001 (output size not an integer) and MDL0002 (window larger than the padded input).</summary>
public class OutputSizeDiagnosticTests
{
    [Fact]
    public Task NonIntegerConvOutput_IsReportedOnTheStrideArgument_WithTheCourseArithmetic() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 10, 10])]
        public partial class Course
        {
            // Conv2D 'C1' gives (10 − 3 + 0)/2 + 1 = 4.5 rows and (10 − 3 + 0)/2 + 1 = 4.5 columns; (W − F + 2P)/S + 1 must be an integer. No padding makes it exact, or PaddingMode = Same gives 5×5
            [Conv2D(4, Kernel = 3, {|MDL0001:Stride = 2|})] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task NonIntegerPoolOutput_WithImpliedStride_IsReportedOnTheSizeArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 7, 7])]
        public partial class Pooled
        {
            // MaxPool2D 'P1' gives (7 − 2 + 0)/2 + 1 = 3.5 rows and (7 − 2 + 0)/2 + 1 = 3.5 columns; (W − F + 2P)/S + 1 must be an integer. No padding makes it exact, or PaddingMode = Same gives 4×4
            [MaxPool2D({|MDL0001:2|})] partial Layer P1 { get; }
        }
        """);

    [Fact]
    public Task NonIntegerPoolOutput_WithWrittenStride_IsReportedOnTheStrideArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Pooled
        {
            // AvgPool2D 'P1' gives (8 − 4 + 0)/3 + 1 = 2.33 rows and (8 − 4 + 0)/3 + 1 = 2.33 columns; (W − F + 2P)/S + 1 must be an integer. Padding = 1 makes it exact, or PaddingMode = Same gives 3×3
            [AvgPool2D(4, {|MDL0001:Stride = 3|})] partial Layer P1 { get; }
        }
        """);

    [Fact]
    public Task NonIntegerOutput_OnOneAxisOnly_NamesOnlyThatAxis() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 10, 11])]
        public partial class Wide
        {
            // Conv2D 'C1' gives (10 − 3 + 0)/2 + 1 = 4.5 rows; (W − F + 2P)/S + 1 must be an integer. No padding makes it exact, or PaddingMode = Same gives 5×6
            [Conv2D(4, Kernel = 3, {|MDL0001:Stride = 2|})] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task NonIntegerOutput_WithFixingPaddings_ListsThemClosestToTheWrittenPaddingFirst() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 13, 13])]
        public partial class Padded
        {
            // Conv2D 'C1' gives (13 − 4 + 2)/3 + 1 = 4.67 rows and (13 − 4 + 2)/3 + 1 = 4.67 columns; (W − F + 2P)/S + 1 must be an integer. Padding = 0 or 3 makes it exact, or PaddingMode = Same gives 5×5
            [Conv2D(8, Kernel = 4, {|MDL0001:Stride = 3|}, Padding = 1)] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task LayerIndex_SkipsPropertiesWithoutLayerAttributes_AndCountsStandaloneActivations() => AnalyzerVerifier.VerifyAsync("""
        using System;
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Mixed
        {
            public int Epochs { get; set; }
            [Obsolete] public string Label => "mixed";
            [Conv2D(6, Kernel = 5, Padding = 2), ReLU] partial Layer C1 { get; }
            [Tanh] partial Layer A1 { get; }
            [MaxPool2D(2)] partial Layer S2 { get; }
            public static int Unrelated { get; } = 3;
            // Conv2D 'C3' gives (14 − 5 + 0)/2 + 1 = 5.5 rows and (14 − 5 + 0)/2 + 1 = 5.5 columns; (W − F + 2P)/S + 1 must be an integer. No padding makes it exact, or PaddingMode = Same gives 7×7
            [Conv2D(16, Kernel = 5, {|MDL0001:Stride = 2|})] partial Layer C3 { get; }
        }
        """);

    [Fact]
    public Task WindowLargerThanInput_IsReportedOnTheKernelArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 4, 4])]
        public partial class Tiny
        {
            // Conv2D 'C1' has a 5×5 window larger than its padded 4×4 input: (4 − 5 + 0)/1 + 1 = 0 rows and (4 − 5 + 0)/1 + 1 = 0 columns; the output size must be at least 1
            [Conv2D(8, {|MDL0002:Kernel = 5|})] partial Layer C1 { get; }
        }
        """);

    [Fact]
    public Task PoolWindowLargerThanOneAxis_IsReportedOnTheSizeArgument() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 9, 2])]
        public partial class Narrow
        {
            // MaxPool2D 'P1' has a 3×3 window larger than its padded 9×2 input: (2 − 3 + 0)/3 + 1 = 0.67 columns; the output size must be at least 1
            [MaxPool2D({|MDL0002:3|})] partial Layer P1 { get; }
        }
        """);

    [Fact]
    public Task LeNet5_WithSamePaddingAndAveragePooling_HasNoDiagnostics() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class LeNet5
        {
            [Conv2D(6, Kernel = 5, Padding = 2)]  partial Layer C1 { get; }
            [Tanh]                                partial Layer A1 { get; }
            [AvgPool2D(2)]                        partial Layer S2 { get; }
            [Conv2D(16, Kernel = 5)]              partial Layer C3 { get; }
            [Tanh]                                partial Layer A3 { get; }
            [AvgPool2D(2)]                        partial Layer S4 { get; }
            [Dense(120), Tanh]                    partial Layer F5 { get; }
            [Dense(84), Tanh]                     partial Layer F6 { get; }
            [Dense(10)]                           partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task CourseLeNet_WithReLUAndMaxPooling_HasNoDiagnostics() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        namespace Course.Models;

        [Model(Input = [1, 28, 28])]
        public partial class LeNet
        {
            [Conv2D(20, Kernel = 5), ReLU] public partial Layer Conv1 { get; }
            [MaxPool2D(2)]                 public partial Layer Pool1 { get; }
            [Conv2D(50, Kernel = 5), ReLU] public partial Layer Conv2 { get; }
            [MaxPool2D(2)]                 public partial Layer Pool2 { get; }
            [Flatten]                      public partial Layer Flat { get; }
            [Dense(500), ReLU]             public partial Layer Hidden { get; }
            [Dense(10)]                    public partial Layer Logits { get; }
        }
        """);

    [Fact]
    public Task ClassesWithoutTheModelAttribute_AreNotAnalyzed() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        public partial class NotAModel
        {
            [Conv2D(0, Kernel = 3, Stride = 2)] partial Layer C1 { get; }
        }
        """);
}
