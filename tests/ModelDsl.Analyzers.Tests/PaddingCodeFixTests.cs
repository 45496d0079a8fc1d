using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>The MDL0001 code fix: a padding that makes the output exact, or PaddingMode.Same.</summary>
public class PaddingCodeFixTests
{
    private const string Stride3 = """
        using ModelDsl;

        [Model(Input = [1, 28, 28])]
        public partial class Net
        {
            // Conv2D 'C1' gives (28 − 5 + 0)/3 + 1 = 8.67 rows and (28 − 5 + 0)/3 + 1 = 8.67 columns; (W − F + 2P)/S + 1 must be an integer. Padding = 2 makes it exact, or PaddingMode = Same gives 10×10
            [Conv2D(6, Kernel = 5, {|MDL0001:Stride = 3|})] partial Layer C1 { get; }
        }
        """;

    private const string WrittenPadding = """
        using ModelDsl;

        [Model(Input = [1, 13, 13])]
        public partial class Net
        {
            // Conv2D 'C1' gives (13 − 4 + 2)/3 + 1 = 4.67 rows and (13 − 4 + 2)/3 + 1 = 4.67 columns; (W − F + 2P)/S + 1 must be an integer. Padding = 0 or 3 makes it exact, or PaddingMode = Same gives 5×5
            [Conv2D(8, Kernel = 4, {|MDL0001:Stride = 3|}, Padding = 1)] partial Layer C1 { get; }
        }
        """;

    private const string ValidMode = """
        using ModelDsl;

        [Model(Input = [1, 10, 10])]
        public partial class Net
        {
            // Conv2D 'C1' gives (10 − 3 + 0)/3 + 1 = 3.33 rows and (10 − 3 + 0)/3 + 1 = 3.33 columns; (W − F + 2P)/S + 1 must be an integer. Padding = 1 makes it exact, or PaddingMode = Same gives 4×4
            [Conv2D(4, Kernel = 3, {|MDL0001:Stride = 3|}, PaddingMode = PaddingMode.Valid)] partial Layer C1 { get; }
        }
        """;

    [Fact]
    public async Task OffersEachExactPadding_ThenSame()
    {
        Assert.Equal(["Use Padding = 2", "Use PaddingMode.Same"], await CodeFixVerifier.TitlesAsync(Stride3));
        Assert.Equal(["Use Padding = 0", "Use Padding = 3", "Use PaddingMode.Same"], await CodeFixVerifier.TitlesAsync(WrittenPadding));
    }

    [Fact]
    public Task UsePadding_AppendsThePaddingArgument() => CodeFixVerifier.VerifyFixAsync(Stride3, "Use Padding = 2", CodeFixVerifier.Fixed(Stride3,
        "[Conv2D(6, Kernel = 5, Stride = 3)]",
        "[Conv2D(6, Kernel = 5, Stride = 3, Padding = 2)]"));

    [Fact]
    public Task UsePaddingModeSame_AppendsThePaddingModeArgument() => CodeFixVerifier.VerifyFixAsync(Stride3, "Use PaddingMode.Same", CodeFixVerifier.Fixed(Stride3,
        "[Conv2D(6, Kernel = 5, Stride = 3)]",
        "[Conv2D(6, Kernel = 5, Stride = 3, PaddingMode = PaddingMode.Same)]"));

    [Fact]
    public Task UsePadding_ReplacesTheWrittenPaddingInPlace() => CodeFixVerifier.VerifyFixAsync(WrittenPadding, "Use Padding = 0", CodeFixVerifier.Fixed(WrittenPadding,
        "[Conv2D(8, Kernel = 4, Stride = 3, Padding = 1)]",
        "[Conv2D(8, Kernel = 4, Stride = 3, Padding = 0)]"));

    /// <summary>The 4×4 kernel then pads unevenly (1 above, 2 below), which MDL0009 points out.</summary>
    [Fact]
    public Task UsePaddingModeSame_RemovesTheWrittenPadding() => CodeFixVerifier.VerifyFixAsync(WrittenPadding, "Use PaddingMode.Same", CodeFixVerifier.Fixed(WrittenPadding,
        "[Conv2D(8, Kernel = 4, Stride = 3, Padding = 1)]",
        "[Conv2D(8, Kernel = 4, Stride = 3, PaddingMode = PaddingMode.Same)]"),
        DiagnosticDescriptors.AsymmetricSamePaddingId);

    [Fact]
    public Task UsePadding_RemovesThePaddingMode() => CodeFixVerifier.VerifyFixAsync(ValidMode, "Use Padding = 1", CodeFixVerifier.Fixed(ValidMode,
        "[Conv2D(4, Kernel = 3, Stride = 3, PaddingMode = PaddingMode.Valid)]",
        "[Conv2D(4, Kernel = 3, Stride = 3, Padding = 1)]"));

    [Fact]
    public Task UsePaddingModeSame_ReplacesTheWrittenPaddingModeInPlace() => CodeFixVerifier.VerifyFixAsync(ValidMode, "Use PaddingMode.Same", CodeFixVerifier.Fixed(ValidMode,
        "[Conv2D(4, Kernel = 3, Stride = 3, PaddingMode = PaddingMode.Valid)]",
        "[Conv2D(4, Kernel = 3, Stride = 3, PaddingMode = PaddingMode.Same)]"));

    private const string Qualified = """
        [ModelDsl.Model(Input = [1, 7, 7])]
        public partial class Net
        {
            // MaxPool2D 'P1' gives (7 − 2 + 0)/2 + 1 = 3.5 rows and (7 − 2 + 0)/2 + 1 = 3.5 columns; (W − F + 2P)/S + 1 must be an integer. No padding makes it exact, or PaddingMode = Same gives 4×4
            [ModelDsl.MaxPool2D({|MDL0001:2|})] partial ModelDsl.Layer P1 { get; }
        }
        """;

    [Fact]
    public Task UsePaddingModeSame_WithoutUsingModelDsl_QualifiesTheEnum() => CodeFixVerifier.VerifyFixAsync(Qualified, "Use PaddingMode.Same", CodeFixVerifier.Fixed(Qualified,
        "[ModelDsl.MaxPool2D(2)]",
        "[ModelDsl.MaxPool2D(2, PaddingMode = ModelDsl.PaddingMode.Same)]"));

    [Fact]
    public async Task OtherDiagnostics_OfferNoFix()
    {
        Assert.Empty(await CodeFixVerifier.TitlesAsync("""
            using ModelDsl;

            [Model(Input = [1, 4, 4])]
            public partial class Net
            {
                // Conv2D 'C1' has a 5×5 window larger than its padded 4×4 input: (4 − 5 + 0)/1 + 1 = 0 rows and (4 − 5 + 0)/1 + 1 = 0 columns; the output size must be at least 1
                [Conv2D(8, {|MDL0002:Kernel = 5|})] partial Layer C1 { get; }
            }
            """));
    }
}
