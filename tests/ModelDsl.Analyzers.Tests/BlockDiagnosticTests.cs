using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>Problems inside a block are reported at the use that causes them, naming the block's layer.</summary>
public class BlockDiagnosticTests
{
    [Fact]
    public Task BlockStrideThatDoesNotDivide_IsReportedAtTheUse() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        public sealed partial class Down : Block
        {
            public int Width { get; set; }
            public int Stride { get; set; } = 1;

            [Conv2D(0, FiltersOf = "Width", Kernel = 3, StrideOf = "Stride")] partial Layer Conv { get; }
            [ReLU] partial Layer Act { get; }
        }

        [Model(Input = [3, 10, 10])]
        public partial class Net
        {
            [Down(Width = 8)] partial Layer Fine { get; }
            // Conv2D 'Coarse.Conv' gives (8 − 3 + 0)/2 + 1 = 3.5 rows and (8 − 3 + 0)/2 + 1 = 3.5 columns; (W − F + 2P)/S + 1 must be an integer. No padding makes it exact, or PaddingMode = Same gives 4×4
            [{|MDL0001:Down(Width = 8, Stride = 2)|}] partial Layer Coarse { get; }
        }
        """);

    [Fact]
    public Task UnknownNameInABlockExpression_IsReportedAtTheUse_WithTheKnownNames() => AnalyzerVerifier.VerifyAsync("""
        using ModelDsl;

        public sealed partial class Widen : Block
        {
            public int Width { get; set; }

            [Conv2D(0, FiltersOf = "Widht * 2", Kernel = 1)] partial Layer Conv { get; }
        }

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            // Conv2D 'W.Conv': cannot evaluate FiltersOf = "Widht * 2": 'Widht' is not a parameter of the block (known: Width, In)
            [{|MDL0003:Widen(Width = 4)|}] partial Layer W { get; }
        }
        """);
}
