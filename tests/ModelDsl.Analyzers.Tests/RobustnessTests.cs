using ModelDsl.Analyzers.Tests.Harness;

namespace ModelDsl.Analyzers.Tests;

/// <summary>The analyzer must never throw, whatever the user has half-typed.</summary>
public class RobustnessTests
{
    public static TheoryData<string> MalformedModels() =>
    [
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D("six")] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, Kernel = "5")] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, Kernel =)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, Nope = 1)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, 5, 1)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dense(10.5)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dropout("half")] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dropout(double.NaN)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dropout(double.PositiveInfinity)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(int.MaxValue, Kernel = int.MaxValue)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(int.MaxValue, Kernel = 1)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, Kernel = 3, Stride = int.MaxValue)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, Kernel = 3, Padding = int.MaxValue)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, Kernel = 3, Stride = int.MinValue, Padding = int.MinValue)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [MaxPool2D(int.MaxValue, Stride = int.MaxValue, Padding = int.MaxValue)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [AvgPool2D(0)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dense(int.MaxValue)] partial Layer C { get; } }""",
        """[Model(Input = [int.MaxValue, int.MaxValue, int.MaxValue])] partial class M { [Flatten] partial Layer C { get; } }""",
        """[Model(Input = [46340, 46340, 1])] partial class M { [Dense(2)] partial Layer C { get; } }""",
        """[Model(Input = [-1, -28, int.MinValue])] partial class M { [Dense(2)] partial Layer C { get; } }""",
        """[Model(Input = null)] partial class M { [Dense(2)] partial Layer C { get; } }""",
        """[Model(Input = [])] partial class M { [Dense(2)] partial Layer C { get; } }""",
        """[Model(Input = [1, 2, 3, 4, 5])] partial class M { [Dense(2)] partial Layer C { get; } }""",
        """[Model(Input = "1, 28, 28")] partial class M { [Dense(2)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dense(10)] Layer C; }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dense(10)] partial Layer C { get; set; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dense(10)] static partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dense(10)] partial int C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Dense(10), Dense(20)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [ReLU, Tanh, Sigmoid] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, PaddingMode = (PaddingMode)(-1))] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M<T> { [Conv2D(6, Kernel = 29)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial struct S { [Conv2D(6, Kernel = 29)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, Kernel = 5)] partial Layer C { get; } [Conv2D(6, Kernel = 5)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, Kernel = 5) partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28] partial class M { [Conv2D(6, Kernel = 5)] partial Layer C { get; } }""",
        """[Model(Input = [1, 28, 28])] partial class M { [Conv2D(6, Kernel = 5, Stride = 2)] partial Layer C { get; } } partial class M { [MaxPool2D(3)] partial Layer P { get; } }""",
    ];

    [Theory]
    [MemberData(nameof(MalformedModels))]
    public async Task MalformedDeclarations_NeverMakeTheAnalyzerThrow(string model)
    {
        // AnalyzeAsync fails the test on an analyzer exception (AD0001).
        var diagnostics = await TestCompilation.AnalyzeAsync(TestCompilation.Create("using ModelDsl;\n" + model));

        // Every diagnostic points into the source, at most one per model (inference stops at the first problem).
        Assert.All(diagnostics, d => Assert.True(d.Location.IsInSource, d.ToString()));
        Assert.True(diagnostics.Length <= 1, string.Join("\n", diagnostics));
    }

    [Fact]
    public async Task HugePadding_IsReportedAsTooManyValues_NotAsAWrappedSize()
    {
        await AnalyzerVerifier.VerifyAsync("""
            using ModelDsl;

            [Model(Input = [1, 28, 28])]
            public partial class Net
            {
                // Conv2D 'C1' gives (N, 6, 2147483672, 2147483672): more than 2,147,483,647 values per sample
                [Conv2D({|MDL0003:6|}, Kernel = 3, Padding = 1073741823)] partial Layer C1 { get; }
            }
            """);
    }

    [Fact]
    public async Task ConvWeightCountOverflowing64Bits_IsReportedAsTooManyWeights()
    {
        await AnalyzerVerifier.VerifyAsync("""
            using ModelDsl;

            [Model(Input = [1048576, 1, 1])]
            public partial class Net
            {
                // Conv2D 'C1' would have 1,208,925,819,614,629,174,706,176 weights, more than 2,147,483,647
                [Conv2D({|MDL0003:1|}, Kernel = 1073741824, Padding = 536870912)] partial Layer C1 { get; }
            }
            """);
    }

    [Fact]
    public async Task InputWhoseSizeOverflows64Bits_IsReportedAsTooLarge()
    {
        await AnalyzerVerifier.VerifyAsync("""
            using ModelDsl;

            // Model 'Net' declares Input = [2097152, 2097152, 4194304]: more than 2,147,483,647 values per sample
            [Model({|MDL0003:Input = [2097152, 2097152, 4194304]|})]
            public partial class Net
            {
                [Flatten] partial Layer F { get; }
            }
            """);
    }
}
