using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>MDL0003: hyperparameters outside their domain and invalid declarations.</summary>
public class HyperparameterDiagnosticTests
{
    /// <summary>A rule, then the layer breaking it (markup, with the expected message on the line above).</summary>
    public static TheoryData<string, string> OutOfRangeLayers => new()
    {
        {
            "kernel 0, on the Kernel argument", """
            // Conv2D 'C1' has Kernel = 0; the window size F must be at least 1
            [Conv2D(6, {|MDL0003:Kernel = 0|})] partial Layer C1 { get; }
            """
        },
        {
            "negative conv stride, on the Stride argument", """
            // Conv2D 'C1' has Stride = -1; the stride S must be at least 1
            [Conv2D(6, Kernel = 3, {|MDL0003:Stride = -1|})] partial Layer C1 { get; }
            """
        },
        {
            "negative pool stride, on the Stride argument", """
            // MaxPool2D 'P1' has Stride = -2; the stride S must be at least 1
            [MaxPool2D(2, {|MDL0003:Stride = -2|})] partial Layer P1 { get; }
            """
        },
        {
            "negative padding, on the Padding argument", """
            // Conv2D 'C1' has Padding = -1; the padding P must be 0 or more
            [Conv2D(6, Kernel = 3, {|MDL0003:Padding = -1|})] partial Layer C1 { get; }
            """
        },
        {
            "pool padding over half the window, on the Padding argument", """
            // AvgPool2D 'P1' has Padding = 2 with a 2×2 window; pooling padding must be at most half the window (1), or some windows would see only padding
            [AvgPool2D(2, {|MDL0003:Padding = 2|})] partial Layer P1 { get; }
            """
        },
        {
            "undefined padding mode, on the PaddingMode argument", """
            // Conv2D 'C1' has PaddingMode = 7; use Explicit, Valid or Same
            [Conv2D(6, Kernel = 3, {|MDL0003:PaddingMode = (PaddingMode)7|})] partial Layer C1 { get; }
            """
        },
        {
            "zero filters, on the positional argument", """
            // Conv2D 'C1' has Filters = 0; the number of filters K must be at least 1
            [Conv2D({|MDL0003:0|}, Kernel = 3)] partial Layer C1 { get; }
            """
        },
        {
            "zero filters written by parameter name, on that argument", """
            // Conv2D 'C1' has Filters = 0; the number of filters K must be at least 1
            [Conv2D({|MDL0003:filters: 0|}, Kernel = 3)] partial Layer C1 { get; }
            """
        },
        {
            "dense with zero units, on the units argument", """
            // Dense 'F1' has Units = 0; the number of outputs must be at least 1
            [Dense({|MDL0003:0|})] partial Layer F1 { get; }
            """
        },
        {
            "two layer attributes on one property, on the layer attribute", """
            // 'C1' declares Conv2D and MaxPool2D; a property declares one layer (an activation may stand beside it)
            [{|MDL0003:Conv2D(6, Kernel = 5)|}, MaxPool2D(2)] partial Layer C1 { get; }
            """
        },
        {
            "a layer property that is not partial, on the layer attribute", """
            // 'C1' must be declared as 'partial Layer C1 { get; }' for the generator to implement it
            [{|MDL0003:Conv2D(6, Kernel = 5)|}] Layer C1 { get; } = null!;
            """
        },
        {
            "a layer property of another type, on the layer attribute", """
            // 'C1' must be declared as 'partial Layer C1 { get; }' for the generator to implement it
            [{|MDL0003:Conv2D(6, Kernel = 5)|}] int C1 => 0;
            """
        },
        {
            "a dense layer whose declared input size is not the inferred one, on In", """
            [Conv2D(16, Kernel = 5)] partial Layer C3 { get; }
            [MaxPool2D(4)] partial Layer S4 { get; }
            // Dense 'F5' declares In = 500, but its input (N, 16, 6, 6) flattens to 576 values
            [Dense(120, {|MDL0003:In = 500|})] partial Layer F5 { get; }
            """
        },
        {
            "dropout p = 1, on the p argument", """
            [Flatten] partial Layer F { get; }
            // Dropout 'D1' has p = 1; the drop probability p must be in [0, 1)
            [Dropout({|MDL0003:1.0|})] partial Layer D1 { get; }
            """
        },
        {
            "dropout p < 0, on the p argument", """
            // Dropout 'D1' has p = -0.1; the drop probability p must be in [0, 1)
            [Dropout({|MDL0003:-0.1|})] partial Layer D1 { get; }
            """
        },
        {
            "a convolution after a dense layer, on the whole attribute", """
            [Dense(100)] partial Layer F1 { get; }
            // Conv2D 'C2' needs a (C, H, W) input, but its input is flat: (N, 100); move it before the first Dense or Flatten layer
            [{|MDL0003:Conv2D(6, Kernel = 3)|}] partial Layer C2 { get; }
            """
        },
    };

    [Theory]
    [MemberData(nameof(OutOfRangeLayers))]
    public Task OutOfRangeLayer_IsReportedOnTheArgumentHoldingTheValue(string rule, string layers)
    {
        Assert.NotEmpty(rule); // names the case in the test list
        var body = string.Join("\n", layers.Split('\n').Select(line => "    " + line));
        return AnalyzerVerifier.VerifyAsync($$"""
            using ModelDsl;

            [Model(Input = [1, 28, 28])]
            public partial class Net
            {
            {{body}}
            }
            """);
    }

    /// <summary>A rule, then the model attribute breaking it (markup, with the expected message on the line above).</summary>
    public static TheoryData<string, string> InvalidInputs => new()
    {
        {
            "no input, on the Model attribute", """
            // Model 'Net' declares no input shape; write Input = [C, H, W] (e.g. [1, 28, 28]), [C, L] or [features]
            [{|MDL0003:Model|}]
            """
        },
        {
            "four dimensions, on the Input argument", """
            // Model 'Net' declares Input = [1, 1, 28, 28]; the input shape must be [C, H, W], [C, L] or [features]
            [Model({|MDL0003:Input = [1, 1, 28, 28]|})]
            """
        },
        {
            "a zero dimension, on the Input argument", """
            // Model 'Net' declares Input = [1, 0, 28]; every dimension must be at least 1
            [Model({|MDL0003:Input = [1, 0, 28]|})]
            """
        },
    };

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public Task InvalidInput_IsReportedOnTheModelDeclaration(string rule, string model)
    {
        Assert.NotEmpty(rule); // names the case in the test list
        return AnalyzerVerifier.VerifyAsync($$"""
            using ModelDsl;

            {{model}}
            public partial class Net
            {
                [Dense(10)] partial Layer F1 { get; }
            }
            """);
    }

    [Fact]
    public Task ModelWithABaseClassOfItsOwn_IsReportedOnTheModelAttribute() =>
        AnalyzerVerifier.VerifyAsync("""
            using ModelDsl;

            public class Base { }

            // Model 'Net' declares a base class; the generator makes every model derive from ModelDsl.Model, so remove it
            [{|MDL0003:Model(Input = [4])|}]
            public partial class Net : Base
            {
                [Dense(10)] partial Layer F1 { get; }
            }
            """);
}
