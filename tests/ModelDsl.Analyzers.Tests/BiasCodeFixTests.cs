using ModelDsl.Analyzers.Tests.Harness;
using ModelDsl.CodeFixes;

namespace ModelDsl.Analyzers.Tests;

/// <summary>The MDL0008 code fix: "Remove the redundant bias" writes Bias = false.</summary>
public class BiasCodeFixTests
{
    private const string Unwritten = """
        using ModelDsl;

        [Model(Input = [3, 8, 8])]
        public partial class Net
        {
            // Conv2D 'C1' adds a bias of 16 values, but BatchNorm 'Bn1' right after it subtracts each channel's mean, which removes any bias: set Bias = false (the batch norm's own shift β takes its place)
            [{|MDL0008:Conv2D(16, Kernel = 3, Padding = 1)|}] partial Layer C1 { get; }
            [BatchNorm, ReLU] partial Layer Bn1 { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """;

    private const string Written = """
        using ModelDsl;

        [Model(Input = [3, 10, 10])]
        public partial class Net
        {
            // ConvTranspose2D 'Up' adds a bias of 4 values, but BatchNorm 'Bn' right after it subtracts each channel's mean, which removes any bias: set Bias = false (the batch norm's own shift β takes its place)
            [ConvTranspose2D(4, Kernel = 2, Stride = 2, {|MDL0008:Bias = true|}, Padding = 0)] partial Layer Up { get; }
            [BatchNorm] partial Layer Bn { get; }
            [Dense(10)] partial Layer Logits { get; }
        }
        """;

    [Fact]
    public async Task OffersOneAction()
    {
        Assert.Equal([BiasCodeFixProvider.Title], await CodeFixVerifier.TitlesAsync(Unwritten));
    }

    [Fact]
    public Task AppendsBiasFalse() => CodeFixVerifier.VerifyFixAsync(Unwritten, BiasCodeFixProvider.Title, CodeFixVerifier.Fixed(Unwritten,
        "[Conv2D(16, Kernel = 3, Padding = 1)]",
        "[Conv2D(16, Kernel = 3, Padding = 1, Bias = false)]"));

    [Fact]
    public Task ReplacesTheWrittenBiasInPlace() => CodeFixVerifier.VerifyFixAsync(Written, BiasCodeFixProvider.Title, CodeFixVerifier.Fixed(Written,
        "[ConvTranspose2D(4, Kernel = 2, Stride = 2, Bias = true, Padding = 0)]",
        "[ConvTranspose2D(4, Kernel = 2, Stride = 2, Bias = false, Padding = 0)]"));

    [Fact]
    public async Task InsideABlock_NoFixIsOffered()
    {
        Assert.Empty(await CodeFixVerifier.TitlesAsync("""
            using ModelDsl;

            public sealed partial class ConvBn : Block
            {
                [Conv2D(8, Kernel = 3, Padding = 1)] partial Layer Conv { get; }
                [BatchNorm]                          partial Layer Bn { get; }
            }

            [Model(Input = [3, 8, 8])]
            public partial class Net
            {
                // Conv2D 'Stage.Conv' adds a bias of 8 values, but BatchNorm 'Stage.Bn' right after it subtracts each channel's mean, which removes any bias: set Bias = false (the batch norm's own shift β takes its place)
                [{|MDL0008:ConvBn|}] partial Layer Stage { get; }
                [Dense(10)] partial Layer Logits { get; }
            }
            """));
    }
}
