using System.Globalization;
using Microsoft.CodeAnalysis;

namespace ModelDsl.Generators.Tests;

public class GeneratorTests
{
    [Fact]
    public void LeNet5_GeneratedFile_MatchesTheSnapshot()
    {
        var (result, _) = GeneratorHarness.Run(Sources.LeNet5);
        Snapshot.Match(GeneratorHarness.Generated(result, "LeNet5.g.cs"), "LeNet5.g.cs");
    }

    [Fact]
    public void LeNet5_GeneratedCode_CompilesWithoutWarnings()
    {
        var (result, output) = GeneratorHarness.Run(Sources.LeNet5);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void EveryLayerKind_NestedAndInternal_CompilesWithoutWarnings()
    {
        var (result, output) = GeneratorHarness.Run(Sources.EveryLayer);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.Problems(output));
        var text = GeneratorHarness.Generated(result, "Everything.g.cs");
        Assert.Contains("partial class Outer", text);
        Assert.Contains("private partial global::ModelDsl.Layer A1", text);
        Assert.Contains("internal partial global::ModelDsl.Layer P1", text);
        Assert.Contains("Dropout.Forward(x, y, Slot(", text);
        Assert.Contains("0.25f", text);
    }

    [Fact]
    public void LayerCatalogueAndGraph_CompileWithoutWarnings()
    {
        var (result, output) = GeneratorHarness.Run(Sources.Catalogue);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.Problems(output));
        var text = GeneratorHarness.Generated(result, "Catalogue.g.cs");
        Assert.DoesNotContain("InvalidOperationException", text); // a real model, not the stub
        Assert.Contains("Merge.Accumulate", text);                 // Residual and Excite are read twice
        Assert.Contains("public static int G => 8;", text);
        Assert.Contains("public static int DH => 2;", text);
        Assert.Contains("\"StemBn.running_var\"", text);
        Assert.DoesNotContain("InvalidOperationException", GeneratorHarness.Generated(result, "Sequence.g.cs"));
    }

    [Fact]
    public void ConvolutionWithReLU_AppliesItInTheKernel_WithoutASeparatePass_AndBackwardStillReadsY()
    {
        const string source = """
            using ModelDsl;
            [Model(Input = [2, 12, 12])]
            public partial class Fused
            {
                [Conv2D(4, Kernel = 3), ReLU]             public partial Layer C1 { get; }
                [Conv2D(4, Kernel = 3, Groups = 4), ReLU] public partial Layer Dw { get; }
                [Conv2D(4, Kernel = 3), Tanh]             public partial Layer C2 { get; }
                [Dense(5), ReLU]                          public partial Layer D { get; }
            }
            """;
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.Problems(output));
        var text = GeneratorHarness.Generated(result, "Fused.g.cs");
        string Method(string name)
        {
            var start = text.IndexOf($"private void {name}(int n", StringComparison.Ordinal);
            Assert.True(start >= 0, name);
            var end = text.IndexOf("private void ", start + 1, StringComparison.Ordinal);
            return end < 0 ? text[start..] : text[start..end];
        }
        foreach (var conv in new[] { "C1", "Dw" })
        {
            var forward = Method(conv + "_Forward");
            Assert.Matches($@"Conv2D\.Forward<{conv}Shape>\(x, Weights\([^)]*\), Weights\([^)]*\), y, n, relu: true\);", forward);
            Assert.DoesNotContain("Activations.ReLU(", forward);
            Assert.Contains("Activations.ReLUBackward(Slot(", Method(conv + "_Backward"));
        }
        Assert.Contains("Activations.Tanh(y, y);", Method("C2_Forward"));
        Assert.DoesNotContain("relu: true", Method("C2_Forward"));
        Assert.Contains("Activations.ReLU(y, y);", Method("D_Forward"));
    }

    [Fact]
    public void Generator_UnderFinnishCulture_EmitsTheSameText()
    {
        var (invariant, _) = GeneratorHarness.Run(Sources.EveryLayer);
        var previous = CultureInfo.CurrentCulture;
        try
        {
            // fi-FI writes the minus sign as U+2212 and the decimal separator as a comma.
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("fi-FI");
            var (finnish, output) = GeneratorHarness.Run(Sources.EveryLayer);
            Assert.Equal(
                GeneratorHarness.Generated(invariant, "Everything.g.cs"),
                GeneratorHarness.Generated(finnish, "Everything.g.cs"));
            Assert.Empty(GeneratorHarness.Problems(output));
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = previous;
        }
    }

    [Fact]
    public void Summary_IsInTheXmlDocumentation_WithTotals()
    {
        var (result, _) = GeneratorHarness.Run(Sources.LeNet5);
        var text = GeneratorHarness.Generated(result, "LeNet5.g.cs");
        Assert.Contains("/// Total ", text);
        Assert.Contains("61,706", text);
        Assert.Contains("public const int ParameterCount = 61706;", text);
        Assert.Contains("// C3: Conv2D(6→16, F=5, S=1, P=0)   x:(N, 6, 14, 14) → y:(N, 16, 10, 10)", text);
    }

    [Fact]
    public void InvalidModel_GetsAStubThatKeepsTheProjectCompiling()
    {
        const string source = """
            using ModelDsl;
            [Model(Input = [1, 10, 10])]
            public partial class Broken
            {
                [Conv2D(4, Kernel = 3, Stride = 2)] public partial Layer C1 { get; }
            }
            """;
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        var text = GeneratorHarness.Generated(result, "Broken.g.cs");
        Assert.Contains("throw new global::System.InvalidOperationException", text);
        Assert.DoesNotContain("Conv2D.Forward", text);
        Assert.Empty(GeneratorHarness.Problems(output));
    }

    [Fact]
    public void ModelInTheGlobalNamespace_Compiles()
    {
        const string source = """
            using ModelDsl;
            [Model(Input = [4])]
            public partial class Tiny
            {
                [Dense(3), ReLU] public partial Layer Hidden { get; }
                [Dense(2)] public partial Layer Out { get; }
            }
            """;
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.Problems(output));
        Assert.Single(result.GeneratedTrees);
    }

    [Fact]
    public void ClassWithAnotherBase_GetsOnlyTheStub()
    {
        const string source = """
            using ModelDsl;
            public class Base { }
            [Model(Input = [4])]
            public partial class Derived : Base
            {
                [Dense(2)] public partial Layer Out { get; }
            }
            """;
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.DoesNotContain("global::ModelDsl.Model", GeneratorHarness.Generated(result, "Derived.g.cs"));
        Assert.Empty(GeneratorHarness.Problems(output));
    }
}
